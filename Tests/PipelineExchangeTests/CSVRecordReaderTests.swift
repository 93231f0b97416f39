import CSV
import Foundation
import Testing
@testable import PipelineCore
@testable import PipelineExchange

/// Our byte-level CSV reader replaced CSV.swift's in the import (issue 15): on any text it
/// must give the records CSV.swift gave, field for field, and leave the same problem behind.
@Suite("CSV record reader: the same records as CSV.swift")
struct CSVRecordReaderTests {
    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-csv-reader-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }()

    struct Reading: Equatable {
        var records: [[String]]
        var problem: TextProblem?
        /// Where the stream's share done stood after each record given (`TextStream.consumed`).
        var ends: [Int?] = []
    }

    /// Both readers over the same bytes: ours over the importer's `TextStream`, keeping the
    /// record limit and the open quote's place in its own loop; the package's through the
    /// follower it had (`TextInputStream`, kept in the tests for this), which did that in a
    /// pass of its own. `blockSize` puts ours' block edges anywhere.
    static func readBoth(_ bytes: [UInt8], delimiter: UnicodeScalar = ",", blockSize: Int = Int(UInt16.max),
                         recordLimit: Int = CSVRecordReader.defaultRecordLimit) throws -> (ours: Reading, package: Reading) {
        let path = folder.appendingPathComponent("\(UUID().uuidString).csv").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ourText = try TextStream(ImportSource(path), encoding: nil)
        let ours = CSVRecordReader(ourText, delimiter: delimiter, recordLimit: recordLimit, blockSize: blockSize)
        var ourReading = Reading(records: [])
        while let record = ours.next() {
            ourReading.records.append(record)
            ourReading.ends.append(ourText.consumed)
        }
        ourReading.problem = ourText.problem ?? ours.problem
        let theirText = try TextStream(ImportSource(path), encoding: nil)
        let theirInput = TextInputStream(theirText, delimiter: delimiter, recordLimit: recordLimit)
        let theirs = try CSVReader(stream: theirInput, hasHeaderRow: false, delimiter: delimiter)
        var theirReading = Reading(records: [])
        while let record = theirs.next() {
            theirReading.records.append(record)
            theirInput.rowGiven()
            theirReading.ends.append(theirText.consumed)
        }
        theirReading.problem = theirText.problem ?? theirInput.problem
        return (ourReading, theirReading)
    }

    static let pieces = ["a", "Z", "7", ",", ";", "\"", "\"\"", "\n", "\r", "\r\n", " ", "\t", "ệ", "Đức", "😀", "=", "'", "\u{FEFF}"]

    static func randomCell(_ random: inout SeededGenerator) -> String {
        (0..<random.next(below: 6)).map { _ in Self.pieces[random.next(below: Self.pieces.count)] }.joined()
    }

    /// A cell as a CSV writer writes it: quoted when it holds a delimiter, a quote or a line
    /// break, its quotes doubled.
    static func written(_ cell: String, delimiter: Character) -> String {
        guard cell.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Well-formed files: both readers give back exactly the cells written.
    @Test(arguments: [(UInt64(1), ","), (2, ";"), (3, ","), (4, ";")])
    func writtenCellsComeBackAsTheyWere(_ seed: UInt64, _ delimiter: String) throws {
        var random = SeededGenerator(seed: seed)
        let separator = Character(delimiter)
        for _ in 0..<40 {
            var rows: [[String]] = []
            for _ in 0..<(1 + random.next(below: 12)) {
                var row = (0..<(1 + random.next(below: 5))).map { _ in Self.randomCell(&random) }
                // A record of one empty field is a blank line, read as one; a lone empty
                // cell would be written as nothing at all.
                if row == [""] { row = ["x"] }
                rows.append(row)
            }
            let ending = random.next(below: 2) == 0 ? "\n" : "\r\n"
            var text = rows.map { $0.map { Self.written($0, delimiter: separator) }.joined(separator: delimiter) }.joined(separator: ending)
            if random.next(below: 2) == 0 { text += ending }
            let (ours, package) = try Self.readBoth(Array(text.utf8), delimiter: delimiter.unicodeScalars.first!,
                                                    blockSize: 1 + random.next(below: 40))
            #expect(ours == package, "\(text.debugDescription)")
            // What a writer wrote comes back (the byte-order mark only where it is not first).
            if !text.hasPrefix("\u{FEFF}") { #expect(ours.records == rows, "\(text.debugDescription)") }
        }
    }

    /// Any text at all — quotes in the wrong places, quotes never closed, lone carriage
    /// returns, a quote followed by a multi-byte character: the same records, the same problem.
    @Test(arguments: [UInt64(11), 12, 13, 14, 15, 16])
    func anyTextGivesTheRecordsCSVSwiftGave(_ seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            let text = (0..<random.next(below: 60)).map { _ in Self.pieces[random.next(below: Self.pieces.count)] }.joined()
            let (ours, package) = try Self.readBoth(Array(text.utf8), blockSize: 1 + random.next(below: 16))
            #expect(ours == package, "\(text.debugDescription)")
        }
    }

    /// The cases named: each as CSV.swift reads it.
    @Test(arguments: [
        "", "\n", "\n\n", "a", "a,", ",", "a,b\nc,d", "a,b\r\nc,d\r\n", "a\rb\r", "\"a,b\",c", "\"a\"\"b\"", "\"a\"x,b",
        "\"a\"ệb,c", "\"a\"😀,b", "\"a\"\rb", "\"a\"\r", "\"a\"", "\"open,\nstill open", "a\"b,c", "\u{FEFF}\u{FEFF}a,b",
        "\u{FEFF}a", "\"\"", "\"\",\"\"", "x,\"y\"\r\n\r\nz",
    ])
    func namedCasesAreReadAsTheyWere(_ text: String) throws {
        for blockSize in [1, 2, 3, 7, Int(UInt16.max)] {
            let (ours, package) = try Self.readBoth(Array(text.utf8), blockSize: blockSize)
            #expect(ours == package, "\(text.debugDescription), blocks of \(blockSize)")
        }
    }

    /// The UTF-8 check takes eight printable ASCII bytes at a time: the place it gives a bad
    /// byte, a NUL or a broken sequence is still the character's, whatever the run before it
    /// and wherever a line break (LF, CR LF, a lone CR) or a multi-byte character falls.
    @Test func aBadByteIsPlacedAfterAnyRunOfASCII() throws {
        let cases: [(prefix: String, line: Int, before: Int)] = [
            ("", 1, 0), ("a,b\n", 2, 0), ("a,b\r\n", 2, 0), ("a\rb", 2, 1), ("ệ", 1, 1), ("\"x\r\n", 2, 0), ("0123456789\n", 2, 0),
        ]
        for run in 0..<20 {
            for (prefix, line, before) in cases {
                for bad: [UInt8] in [[0xFF], [0], [0xE1, 0x41]] {
                    let bytes = Array(prefix.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: run) + bad + Array("tail,more\n".utf8)
                    let path = Self.folder.appendingPathComponent("\(UUID().uuidString).csv").path
                    FileManager.default.createFile(atPath: path, contents: Data(bytes))
                    defer { try? FileManager.default.removeItem(atPath: path) }
                    let text = try TextStream(ImportSource(path), encoding: nil)
                    var buffer = [UInt8](repeating: 0, count: 64)
                    while buffer.withUnsafeMutableBufferPointer({ text.read(into: $0.baseAddress!, count: $0.count) }) > 0 {}
                    #expect(text.problem?.line == line, "\(prefix.debugDescription), \(run) bytes, \(bad)")
                    #expect(text.problem?.column == before + run + 1, "\(prefix.debugDescription), \(run) bytes, \(bad)")
                }
            }
        }
    }

    /// A record over the limit ends the reading with the problem the follower found, on the
    /// record's first line; ours gives the records before it (the follower dropped the whole
    /// block it was in, which at the real limit, 8 MiB, holds nothing but that record).
    @Test func aRecordOverTheLimitEndsTheReadingWithTheSameProblem() throws {
        let text = "a,b\n\"q\r\n\"\r\n" + String(repeating: "x", count: 100) + "\nc,d\n"
        for blockSize in [1, 5, Int(UInt16.max)] {
            let (ours, package) = try Self.readBoth(Array(text.utf8), blockSize: blockSize, recordLimit: 50)
            #expect(ours.problem == package.problem)
            #expect(ours.problem == TextProblem(kind: .tooLong(limit: 50), line: 4, column: 1))
            #expect(ours.records == [["a", "b"], ["q\r\n"]])
        }
    }

    /// The limit counts what the follower counted — every byte of the record but its line
    /// break and the LF of a CR LF inside it, a byte-order mark the reader skipped included —
    /// so a record of exactly the limit passes and one byte more does not, in any text.
    @Test(arguments: [UInt64(21), 22, 23])
    func theLimitCountsAsTheFollowerDid(_ seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            let text = (0..<random.next(below: 40)).map { _ in Self.pieces[random.next(below: Self.pieces.count)] }.joined()
            let limit = 1 + random.next(below: 12)
            let (ours, package) = try Self.readBoth(Array(text.utf8), blockSize: 1 + random.next(below: 16), recordLimit: limit)
            #expect(ours.problem == package.problem, "\(text.debugDescription), limit \(limit)")
            if package.problem == nil { #expect(ours == package, "\(text.debugDescription), limit \(limit)") }
        }
    }
}
