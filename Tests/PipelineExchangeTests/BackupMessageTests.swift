import Foundation
import Testing
@testable import PipelineCore
@testable import PipelineExchange

/// What a restore says of a backup it cannot read (issue 15, session 25): a JSON syntax error
/// with its line, its column (characters, 1-based) and one plain reason; a format version in
/// the sentence true of it.
@Suite("Backup messages: syntax errors and versions")
struct BackupMessageTests {
    /// `text` as a restore reads it: from a file.
    static func stream(_ text: String) throws -> TextStream {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backup-message-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try TextStream(ImportSource(path), encoding: nil)
    }

    /// A backup whose first record line is `record` (line 7), restored into nothing: the
    /// sentence it is refused with (the syntax is found before anything is written).
    static func refusal(_ record: String) -> String {
        let text = "{\n\"format\": \"pipeline-backup\",\n\"version\": 2,\n\"settings\": {},\n\"preferences\": [],\n\"teams\": [\n"
            + record + "\n]\n}\n"
        do {
            try JSONBackup.read(try Self.stream(text), { _ in })
            return "read"
        } catch PipelineError.backupInconsistent(let fault) {
            return fault.message(in: .english)
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        // A string not closed (its opening quote is the column), with more lines after it.
        (#"{"id": 1, "name": "Sales}"#, "line 7, column 19: a string is not closed: its closing double quote is missing"),
        // A comma or bracket missing or extra.
        (#"{"id": 1 "name": "Sales"}"#, "line 7, column 10: a comma or a closing } is missing here"),
        (#"{"id": 1, "tags": ["a" "b"]}"#, "line 7, column 24: a comma or a closing ] is missing here"),
        (#"{"id": 1, "name": "Sales",}"#, "line 7, column 27: a comma is extra here: no value follows it"),
        (#"{"id": 1, "tags": ["a",]}"#, "line 7, column 24: a comma is extra here: no value follows it"),
        (#"{"id": 1, "tags": [1,,2]}"#, "line 7, column 22: a comma is extra here: no value follows it"),
        (#"{"id": 1, "name": }"#, "line 7, column 19: a value is missing here, before the closing bracket"),
        (#"{"id": 1}}"#, "line 7, column 10: a closing bracket is extra here: the value ended before it"),
        (#"{"id": 1} x"#, "line 7, column 11: there is more after the value here (a comma or bracket missing?)"),
        (#"{"id" 1}"#, "line 7, column 7: a colon is missing after the key"),
        (#"{id: 1}"#, "line 7, column 2: a key in double quotes is missing here (JSON writes \"key\": value)"),
        // A value that is not JSON.
        (#"{"id": 1, "active": True}"#, "line 7, column 21: True is not a JSON value (JSON writes true, false, null, numbers such as 12.5, and text in double quotes)"),
        (#"{"id": 1, "name": 'x'}"#, "line 7, column 19: 'x' is not a JSON value"),
        (#"{"id": NaN}"#, "line 7, column 8: NaN is not a JSON value"),
        (#"{"id": nul, "x": 1}"#, "line 7, column 8: nul is not a JSON value"),
        (#"{"id": -Infinity}"#, "line 7, column 8: -Infinity is not a JSON value"),
        (#"{"id": 1.}"#, "line 7, column 8: 1. is not a JSON value"),
        // A control character inside a string (a tab, raw), a bad escape.
        ("{\"id\": 1, \"name\": \"Sa\tles\"}", "line 7, column 22: a control character is inside a string (a tab or a line break is written \\t or \\n)"),
        (#"{"id": 1, "name": "Sa\qles"}"#, "line 7, column 22: a bad escape inside a string: JSON's escapes are"),
        (#"{"id": 1, "name": "\u12G4"}"#, "line 7, column 20: a bad escape inside a string"),
        (#"{"id": 1, "name": "\uD800x"}"#, "line 7, column 20: a bad escape inside a string"),
        // Columns count characters, not bytes.
        (#"{"name": "Bán hàng" "id": 1}"#, "line 7, column 21: a comma or a closing } is missing here"),
        // A number no reader holds.
        (#"{"id": 1e400}"#, "line 7, column 1: a number on this line is too large for pipeline to hold"),
    ])
    func eachSyntaxErrorIsSaidWithItsColumnAndReason(_ record: String, _ expected: String) {
        let said = Self.refusal(record)
        #expect(said.hasPrefix(expected), "\(record): \(said)")
    }

    /// Nesting deeper than 512 is said as such, at the bracket that goes too deep.
    @Test func nestingTooDeepIsSaid() {
        let record = #"{"id": 1, "tags": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        let said = Self.refusal(record)
        #expect(said == "line 7, column \(19 + 511): the value nests deeper than 512 levels", "\(said)")
    }

    /// A line cut short (the file ends inside it) is said as the file cut short, not as syntax.
    @Test func aLineTheFileEndsInIsSaidToBeCutShort() throws {
        let text = "{\n\"format\": \"pipeline-backup\",\n\"version\": 2,\n\"settings\": {},\n\"teams\": [\n{\"id\": 1, \"na"
        #expect(throws: PipelineError.backupInconsistent(BackupFault("backup.lineCutShort", line: 6))) {
            try JSONBackup.read(try Self.stream(text), { _ in })
        }
    }

    /// In Vietnamese too: the line, the column and the reason.
    @Test func theSentenceIsInVietnamese() {
        let fault = JSONBackup.syntaxFault(.commaMissing(closing: "}"), line: 7, column: 10)
        #expect(fault.message(in: .vietnamese) == "dòng 7, cột 10: thiếu dấu phẩy hoặc dấu } đóng ở đây")
        #expect(JSONBackup.syntaxFault(.notAValue("True"), line: 2, column: 3).message(in: .vietnamese)
            == "dòng 2, cột 3: True không phải một giá trị JSON (JSON ghi true, false, null, số như 12.5, và văn bản trong dấu ngoặc kép)")
    }

    /// The other layout (read whole by Foundation) names the line and column the same way.
    @Test func aSyntaxErrorInTheWholeLayoutHasItsLineAndColumn() {
        let text = "{\"format\": \"pipeline-backup\",\n  \"a\": True}\n"
        do {
            try JSONBackup.read(try Self.stream(text), { _ in })
            Issue.record("read")
        } catch PipelineError.backupInconsistent(let fault) {
            #expect(fault.message(in: .english).hasPrefix("line 2, column 8: True is not a JSON value"), "\(fault)")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Only a larger number is newer; an older one no longer read (none today: every version
    /// ever written is read) has its own sentence, as have zero, negatives and non-numbers.
    @Test func eachVersionGetsItsOwnSentence() {
        func said(_ node: JSONNode?, _ readable: ClosedRange<Int64> = 1...2) -> String? {
            JSONBackup.versionFault(node, readable: readable).map { Catalogue.text($0.key, .english, $0.arguments) }
        }
        #expect(said(.number("1")) == nil && said(.number("2")) == nil)
        #expect(said(.number("3")) == "it was written by a newer version of pipeline (format version 3; this one reads up to 2): restore it with that version, or update pipeline")
        #expect(said(.number("1"), 2...3) == "it is in format version 1, from an older pipeline that this one no longer reads (it reads format versions 2 to 3): restore it with an older pipeline and back up again")
        #expect(said(.number("0"))?.hasPrefix("its format version is 0, which no pipeline writes") == true)
        #expect(said(.number("-7"))?.hasPrefix("its format version is -7, below zero") == true)
        #expect(said(.number("2.5"))?.hasPrefix("its format version is 2.5, not a whole number") == true)
        #expect(said(.number("2e0"))?.hasPrefix("its format version is 2e0, not a whole number") == true)
        #expect(said(.string("2"))?.hasPrefix("its format version is \"2\", not a whole number") == true)
        #expect(said(nil)?.hasPrefix("it has no format version") == true)
        #expect(said(.foundationNumber(NSNumber(value: 2))) == nil)
    }
}
