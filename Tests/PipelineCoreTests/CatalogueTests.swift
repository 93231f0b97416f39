import Foundation
import Testing
@testable import PipelineCore

/// The string catalogue: both languages complete, their arguments alike, and no entry
/// left behind by code that changed.
@Suite struct CatalogueTests {
    static let english = Catalogue.table(.english)
    static let vietnamese = Catalogue.table(.vietnamese)

    @Test func everyKeyIsInBothLanguages() {
        let onlyEnglish = Set(Self.english.keys).subtracting(Self.vietnamese.keys).sorted()
        let onlyVietnamese = Set(Self.vietnamese.keys).subtracting(Self.english.keys).sorted()
        #expect(onlyEnglish.isEmpty, "in English only: \(onlyEnglish)")
        #expect(onlyVietnamese.isEmpty, "in Vietnamese only: \(onlyVietnamese)")
    }

    @Test func bothLanguagesTakeTheSameArguments() {
        func placeholders(_ text: String) -> Set<String> {
            Set(text.matches(of: /\{\d+\}/).map { String($0.output) })
        }
        let mismatched = Self.english.keys.sorted().filter { key in
            placeholders(Self.english[key] ?? "") != placeholders(Self.vietnamese[key] ?? "")
        }
        #expect(mismatched.isEmpty, "arguments differ: \(mismatched)")
    }

    @Test func noEntryIsEmptyOrUntranslatedByAccident() {
        let empty = Self.vietnamese.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.keys.sorted()
        #expect(empty.isEmpty, "empty: \(empty)")
        // Words that read the same in both languages are few; a long identical entry is a
        // forgotten translation.
        let identical = Self.english.keys.sorted().filter { key in
            let text = Self.english[key] ?? ""
            return text == Self.vietnamese[key] && text.filter(\.isLetter).count > 12
        }
        #expect(identical.isEmpty, "not translated: \(identical)")
    }

    @Test func everyEntryIsUsedAndEveryUsedKeyExists() throws {
        let sources = try SourceText.all()
        // Keys are written whole ("board.noStages"), or as a prefix completed at run time
        // ("keys.context.\(rawValue)").
        let literals = Set(sources.matches(of: /"([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)"/).map { String($0.output.1) })
        let prefixes = Set(sources.matches(of: /"([A-Za-z][A-Za-z0-9.]*\.)\\\(/).map { String($0.output.1) })
        // `t.plural("count.lead", n)` uses "count.lead.one" and "count.lead.many".
        let unused = Self.english.keys.sorted().filter { key in
            !literals.contains(key) && !prefixes.contains { key.hasPrefix($0) } && !literals.contains(Self.pluralBase(of: key) ?? "")
        }
        #expect(unused.isEmpty, "unused entries: \(unused)")
        let families = Set(Self.english.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
        let missing = literals.filter { literal in
            families.contains(String(literal.split(separator: ".")[0])) && Self.english[literal] == nil
                && Self.english[literal + ".one"] == nil
        }.sorted()
        #expect(missing.isEmpty, "used but not in the catalogue: \(missing)")
    }

    /// `key` without its plural suffix (`count.lead` for `count.lead.one`), or `nil`.
    static func pluralBase(of key: String) -> String? {
        for form in [PluralForm.one, .many] where key.hasSuffix("." + form.rawValue) {
            return String(key.dropLast(form.rawValue.count + 1))
        }
        return nil
    }

    @Test func everyCountedPhraseHasBothFormsAndTheCount() {
        let bases = Set(Self.english.keys.compactMap(Self.pluralBase(of:)))
        for base in bases.sorted() {
            for form in [PluralForm.one, .many] {
                #expect(Self.english["\(base).\(form.rawValue)"] != nil, "\(base).\(form.rawValue) is missing")
            }
        }
        for base in ["count.opportunity", "count.lead", "count.record", "count.stage", "count.team", "count.stageChange",
                     "count.leadOrOpportunity", "cli.exchange.nothingImported"] {
            for language in Language.allCases {
                #expect(Localizer(language).plural(base, 7).contains("7"), "\(base) in \(language)")
            }
        }
    }

    @Test func countsFollowEachLanguagesPluralRule() {
        let english = Localizer(.english), vietnamese = Localizer(.vietnamese)
        #expect(english.plural("count.opportunity", 1) == "1 opportunity")
        #expect(english.plural("count.opportunity", 0) == "0 opportunities")
        #expect(english.plural("count.opportunity", 2) == "2 opportunities")
        #expect(vietnamese.plural("count.opportunity", 1) == "1 cơ hội")
        #expect(vietnamese.plural("count.opportunity", 2) == "2 cơ hội")
        #expect(PipelineError.stageNotEmpty(stage: "New", count: 1).message(in: .english).contains("still holds 1 opportunity "))
        #expect(PipelineError.teamNotEmpty("Export", opportunities: 2, leads: 1).message(in: .english)
                .contains("2 opportunities and 1 lead;"))
    }

    /// Record types in messages are words of the language, not the store's identifiers.
    @Test func recordKindsAreTranslated() {
        #expect(PipelineError.changedSinceLoaded(kind: "opportunity", id: 3).message(in: .vietnamese)
                == "cơ hội 3 vừa bị người khác thay đổi nên thao tác này chưa được lưu; bảng đã hiện lại bản mới nhất: hãy xem lại rồi thử lại")
        #expect(PipelineError.changedSinceLoaded(kind: "stage", id: 3).message(in: .vietnamese).hasPrefix("giai đoạn 3 "))
        #expect(PipelineError.ambiguousName(kind: "lead", name: "Acme", matches: ["2 Acme", "5 acme"]).message(in: .vietnamese)
                .hasPrefix("tiềm năng: 'Acme' trùng"))
        let duplicates = PipelineError.duplicatesNeedDecision(
            lead: Opportunity.ID(2), duplicates: [RecordMention(id: Opportunity.ID(1), kind: .opportunity, title: "Hợp đồng Acme")])
        #expect(duplicates.message(in: .vietnamese).contains("(1 cơ hội 'Hợp đồng Acme')"), "\(duplicates.message(in: .vietnamese))")
        #expect(duplicates.message(in: .english).contains("(1 opportunity 'Hợp đồng Acme')"))
    }

    @Test func argumentsTakeTheirPlaces() {
        #expect(Catalogue.text("board.matching", .english, ["3", "10"]) == "3 of 10 match")
        #expect(Catalogue.text("board.matching", .vietnamese, ["3", "10"]) == "3/10 khớp")
        #expect(Localizer(.vietnamese)("done.won", "Hợp đồng {1}") == "Đã chốt được 'Hợp đồng {1}'")
        // A user's text that holds a placeholder is not filled in again.
        #expect(Localizer(.english)("done.lost", "Deal {1}", "budget") == "Lost 'Deal {1}': budget")
    }
}

/// The text of every Swift file under Sources/, outside the catalogue itself.
enum SourceText {
    static func all() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var text = ""
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", !file.path.contains("/Localization/") else { continue }
            text += try String(contentsOf: file, encoding: .utf8)
        }
        #expect(!text.isEmpty)
        return text
    }
}
