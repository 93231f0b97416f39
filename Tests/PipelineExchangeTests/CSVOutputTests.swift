import CSV
import Foundation
import Testing
@testable import PipelineExchange

/// The CSV writer that replaced the CSV package's (issue 15) writes the bytes that one wrote,
/// field for field, on every kind of awkward field; and where that one's character search
/// missed a comma, quote or line break (one followed by a combining mark), ours quotes it, so
/// that the file reads back as it was written.
@Suite("CSV: our field writer")
struct CSVOutputTests {
    static let nasty = [
        "", "plain", " spaced ", "a,b", ",", ",,", "trailing,", "say \"hi\"", "\"", "\"\"", "\"quoted\"", "a\"b\"c",
        "line1\nline2", "\n", "ends\n", "cr\rhere", "crlf\r\nnext", "\r\n", "\r", "tab\there",
        "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "-12.50", "+1 555 0100", "+84 (28) 3823-4567", "'=quoted", "''=twice", "'",
        "Hợp đồng bảo trì – Công ty TNHH Sữa Việt Nam", "Nguyễn Thị Ánh, \"chị Ánh\"", "Ghi chú:\ndòng 2, dòng 3",
        "🚀 deal, \"big\"", "👨‍👩‍👧 family", "🇻🇳", "e\u{301}", "\u{301}", "a\u{0}b", "\u{FFFD}", "\u{202E}rtl", "x\u{2028}y",
        String(repeating: "long, \"field\"\n", count: 5_000),
    ]

    /// A field that holds a comma, quote or line break only before a combining mark: the
    /// CSV package's writer compared characters and missed it.
    static let missedByTheOldWriter = ["a\"\u{301}b", "a,\u{301}b", "a\n\u{301}b", "x\r\u{301}", ",\u{20DD}"]

    /// The CSV package's writer, as the export used it: rows, then one line feed at the end.
    static func oldWriter(_ rows: [[String]]) throws -> [UInt8] {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        for row in rows { try writer.write(row: row) }
        let data = try #require(stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data)
        return Array(data) + [0x0A]
    }

    static func newWriter(_ rows: [[String]]) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.csv").path
        let file = try OutputFile(path, protecting: nil)
        let csv = CSVOutput(file.writer)
        for row in rows { csv.row(row) }
        try file.commit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func readBack(_ bytes: [UInt8]) throws -> [[String]] {
        let reader = try CSVReader(stream: InputStream(data: Data(bytes)))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        if let error = reader.error { throw error }
        return rows
    }

    @Test func eachNastyFieldIsWrittenAsTheCSVPackageWroteIt() throws {
        for field in Self.nasty {
            for row in [[field], ["before", field, "after"], [field, field]] {
                #expect(try Self.newWriter([row]) == (try Self.oldWriter([row])), "\(row.map { $0.unicodeScalars.map(\.value) })")
            }
        }
    }

    /// As the export writes cells: made inert and guarded first, many rows after a header.
    @Test func cellsAsTheExportWritesThemAreTheSameBytes() throws {
        let header = ["id", "name", "description"]
        let rows = [header] + Self.nasty.enumerated().map { index, field in
            [String(index), SpreadsheetSafety.cell(field), SpreadsheetSafety.cell(field + " & " + field)]
        }
        let written = try Self.newWriter(rows)
        #expect(written == (try Self.oldWriter(rows)))
        #expect(try Self.readBack(written) == rows)
    }

    @Test func aFieldTheOldWriterLeftUnquotedIsQuotedAndReadsBackWhole() throws {
        for field in Self.missedByTheOldWriter {
            let row = ["before", field, "after"]
            let written = try Self.newWriter([row])
            #expect(try Self.readBack(written) == [row], "\(field.unicodeScalars.map(\.value))")
            #expect(written.contains(UInt8(ascii: "\"")))
            // The old writer's bytes for it: unquoted, so a line break split the row.
            #expect(written != (try Self.oldWriter([row])))
        }
    }

    @Test func eachRowEndsWithALineFeed() throws {
        #expect(try Self.newWriter([]).isEmpty)
        #expect(try Self.newWriter([["only"]]) == Array("only\n".utf8))
    }
}

/// The JSON writer writes exactly `compact`'s text, straight into the bytes (issue 15).
@Suite("JSON: written straight into the file")
struct JSONWriteTests {
    static let strings = CSVOutputTests.nasty + CSVOutputTests.missedByTheOldWriter + [
        "\\", "back\\slash\"quote", "\u{7F}", "\u{7E}", "\u{80}", "\u{9F}", "\u{A0}", "\u{1B}[2J", "\u{8}\u{C}",
        "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{202E}", "\u{202F}", "\u{2065}", "\u{2066}", "\u{2069}", "\u{206A}",
        "\u{2000}", "€", "\u{FEFF}", "𝄞", "x\u{1F}", "\u{0}",
    ]

    static func written(_ value: JSONValue) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.json").path
        let file = try OutputFile(path, protecting: nil)
        value.write(to: file.writer)
        try file.commit()
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test func everyStringIsWrittenAsCompactWritesIt() throws {
        for text in Self.strings {
            let value = JSONValue.string(text)
            #expect(try Self.written(value) == value.compact, "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func everyScalarUpToU2100IsEscapedOrNotAsCompactDoesIt() throws {
        let text = String(String.UnicodeScalarView((0..<0x2100).compactMap(Unicode.Scalar.init)))
        let value = JSONValue.array([.string(text), .object([(text, .string(text))])])
        #expect(try Self.written(value) == value.compact)
    }

    @Test func nestedValuesAreWrittenAsCompactWritesThem() throws {
        let value = JSONValue.object([
            ("id", .int(42)), ("title", .string("Hợp đồng \"A\"")), ("tags", .array([.string("a,b"), .string("")])),
            ("none", .null), ("yes", .bool(true)), ("no", .bool(false)), ("empty", .array([])), ("nothing", .object([])),
            ("nested", .object([("amount", .number("12.50")), ("list", .array([.int(1), .null, .object([("k", .string("\u{2028}"))])]))])),
        ])
        #expect(try Self.written(value) == value.compact)
    }
}
