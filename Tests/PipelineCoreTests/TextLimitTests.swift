import PipelineCore
import Testing

/// How much text a field holds (`TextLimit`, issue 13): one sentence naming the field and the
/// limit, in both languages, counted as PostgreSQL counts (Unicode scalars, after NFC).
@Suite("Text limits")
struct TextLimitTests {
    @Test func aLineHoldsTwoHundredCharactersAndTextTenThousand() throws {
        let line = String(repeating: "ệ", count: TextLimit.line)
        #expect(try TextInput.singleLine(line, field: .summary) == line)
        #expect(throws: PipelineError.textTooLong(.summary, length: 201, limit: 200)) { try TextInput.singleLine(line + "x", field: .summary) }
        #expect(throws: PipelineError.textTooLong(.activityTypeName, length: 201, limit: 200)) {
            try TextInput.requiredName(line + "x", field: .activityTypeName)
        }
        let text = String(repeating: "n\n", count: TextLimit.text / 2)
        #expect(throws: PipelineError.textTooLong(.noteText, length: 10_001, limit: 10_000)) {
            try TextInput.multiLine(text + "x", field: .noteText)
        }
        // Trimmed first: blank space around the text does not count.
        #expect(try TextInput.singleLine("  " + line + "  ", field: .title) == line)
        // Decomposed Vietnamese is counted once composed, as it is stored.
        let decomposed = String(repeating: "e\u{302}\u{323}", count: TextLimit.line)
        #expect(try TextInput.singleLine(decomposed, field: .customer).unicodeScalars.count == TextLimit.line)
    }

    @Test func everyMultiLineFieldHoldsTextAndEveryOtherALine() {
        for field in Field.allCases {
            let multiLine: Set<Field> = [.requirements, .notes, .activityNotes, .feedback, .noteText]
            #expect(field.maximumLength == (multiLine.contains(field) ? TextLimit.text : TextLimit.line), "\(field)")
        }
    }

    @Test func theSentenceNamesTheFieldAndTheLimitInBothLanguages() {
        let error = PipelineError.textTooLong(.summary, length: 5_000_000, limit: 200)
        #expect(error.message(in: .english) == "summary: at most 200 characters (5000000 given); nothing was changed")
        #expect(error.message(in: .vietnamese) == "tóm tắt: tối đa 200 ký tự (đã nhập 5000000); chưa có gì thay đổi")
        #expect(error.field == .summary)
    }

    /// The forms of activities, types and deals refuse it before anything is stored.
    @Test func theFormsRefuseIt() throws {
        let long = String(repeating: "a", count: 201)
        #expect(throws: PipelineError.textTooLong(.summary, length: 201, limit: 200)) {
            try ActivityForm(summary: long, due: "2026-12-03").validated(language: .english, types: [])
        }
        #expect(throws: PipelineError.textTooLong(.title, length: 201, limit: 200)) {
            try OpportunityForm(title: long).validated(language: .english, currency: .usd)
        }
        #expect(throws: PipelineError.textTooLong(.noteText, length: 10_001, limit: 10_000)) {
            try DealNote.validText(String(repeating: "a", count: 10_001))
        }
    }

    /// A backup keeps what an older version stored: while one is read back, lengths are not held.
    @Test func aBackupBeingRestoredKeepsLongerText() throws {
        let long = String(repeating: "a", count: 201)
        #expect(try TextInput.$limitsLength.withValue(false) { try TextInput.singleLine(long, field: .title) } == long)
        #expect(throws: PipelineError.self) { try TextInput.singleLine(long, field: .title) }
    }
}
