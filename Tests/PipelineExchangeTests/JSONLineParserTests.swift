import Foundation
import Testing
@testable import PipelineCore
@testable import PipelineExchange

/// Our JSON line parser replaced `JSONSerialization` in the restore (issue 15): on any text it
/// must take and refuse what Foundation took and refused, and every value must read the same
/// through the decoder's questions (text, integer, boolean, null) — except a trailing comma,
/// which Foundation let through and JSON, and we, refuse.
@Suite("JSON line parser: the same values as JSONSerialization")
struct JSONLineParserTests {
    /// What the restore's decoder can learn of a value: its text, `integer`, `boolean`,
    /// whether it is null, and the same of what it holds.
    static func observed(_ node: JSONNode) -> String {
        switch node {
        case .null: return "null"
        case .bool(let value): return "bool(\(value))"
        case .number, .foundationNumber: return "number(\(node.integer.map(String.init) ?? "-"), \(node.boolean.map(String.init) ?? "-"))"
        case .string(let text): return "string(\(text.unicodeScalars.map { String($0.value, radix: 16) }))"
        case .array(let items): return "[" + items.map(observed).joined(separator: ",") + "]"
        case .object(let object):
            return "{" + object.entries.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription):\(observed($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    /// Both readings of `bytes` as a backup's line: an object, or nothing.
    static func readBoth(_ bytes: [UInt8]) -> (ours: String?, foundation: String?) {
        let ours = JSONLineParser.object(Data(bytes)).map { observed(.object($0)) }
        let theirs = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]).map { observed(.object(JSONObject(foundation: $0))) }
        return (ours, theirs)
    }

    /// A comma just before a closing brace or bracket (blanks between): what Foundation takes
    /// and JSON does not. Looked for loosely (inside strings too): it only excuses a refusal.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var lastNonBlank: UInt8?
        for byte in bytes {
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]"), lastNonBlank == UInt8(ascii: ",") { return true }
            if ![0x20, 0x09, 0x0A, 0x0D].contains(byte) { lastNonBlank = byte }
        }
        return false
    }

    static func expectSame(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let (ours, theirs) = readBoth(bytes)
        if ours == nil, theirs != nil, hasTrailingComma(bytes) { return }
        #expect(ours == theirs, "\(String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
    }

    static let numbers = [
        "0", "-0", "1", "-1", "2", "7", "10", "1e3", "1E3", "1.0", "-0.0", "0.5", "1.5", "12.50", "1e-2", "5E+2", "0.1e1", "100e-2",
        "-0e5", "2.5e0", "1e18", "1e19", "-1e18", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999", "123456789012345678",
        "1234567890123456789", "1234567890123456789.0", "9007199254740993.0", "4.0000000000000000001", "1.00000000000000000000",
        "0.00000000000000000001", "100000000000000E+2", "1000000000000000000E2", "1e400", "-1e400", "1e-400", "1e127", "1e128",
        "123456789012345678901234567890.0e-10", String(repeating: "9", count: 40), String(repeating: "1", count: 400), "0e0",
    ]

    /// Exactness of numbers: every shape gives the integer and boolean Foundation's gave,
    /// and Foundation's refusals (`1e400`) are ours.
    @Test func numbersReadAsFoundationReadThem() {
        for number in Self.numbers {
            Self.expectSame(Array("{\"a\":\(number)}".utf8))
            Self.expectSame(Array("{\"a\":[\(number),\(number)]}".utf8))
        }
        // The shapes an id, a rank, a priority and a version take in a backup.
        #expect(JSONLineParser.object(Data("{\"a\":-0}".utf8))?["a"]?.integer == 0)
        #expect(JSONLineParser.object(Data("{\"a\":9223372036854775807}".utf8))?["a"]?.integer == .max)
        #expect(JSONLineParser.object(Data("{\"a\":1e3}".utf8))?["a"]?.integer == nil)
        #expect(JSONLineParser.object(Data("{\"a\":1.0}".utf8))?["a"]?.integer == nil)
        #expect(JSONLineParser.object(Data("{\"a\":1e400}".utf8)) == nil)
    }

    @Test func randomNumbersReadAsFoundationReadThem() {
        var random = SeededGenerator(seed: 15)
        let digits = Array("0123456789")
        for _ in 0..<3000 {
            var text = random.next(below: 3) == 0 ? "-" : ""
            let length = 1 + random.next(below: random.next(below: 4) == 0 ? 25 : 5)
            text += String((0..<length).map { _ in digits[random.next(below: 10)] })
            if random.next(below: 3) == 0 { text += "." + String((0..<(1 + random.next(below: 4))).map { _ in digits[random.next(below: 10)] }) }
            if random.next(below: 3) == 0 { text += ["e", "E", "e+", "e-", "E-"][random.next(below: 5)] + String(random.next(below: 30)) }
            Self.expectSame(Array("{\"n\":\(text)}".utf8))
        }
    }

    @Test func hostileTextsAreTakenOrRefusedAsFoundationDid() {
        let texts = [
            "{}", "{ }", " {\"a\":1} ", "\t{\"a\":1}\r\n", "{\"a\":1} x", "{\"a\":1}}", "{\"a\":1,}", "{\"a\":[1,]}", "{,}", "{\"a\"}",
            "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1]", "\"a\"", "1", "null", "", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}",
            "{\"a\":1.}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}",
            "{\"a\":TRUE}", "{\"a\":1,\"a\":\"b\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800x\"}", "{\"a\":\"\\ud800\\u0041\"}",
            "{\"a\":\"\\udc00\"}", "{\"a\":\"\\udc00\\ud800\"}", "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\uD83D\\uDE00\"}",
            "{\"a\":\"x\u{01}\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\U0041\"}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\u00G9\"}",
            "{\"a\":\"\\u00e\"}", "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"}", "{\"a\":\"\u{7f}\u{80}\u{2028}\"}", "{\"a\":\"\t\"}", "{\"a\":\"\n\"}",
            "{\"a\":\"unterminated}", "{\"a\":\"\\", "{\"a\":\u{0b}1}", "{\"a\":\u{0c}1}", "{\"a\"\n:\n1\n}", "{\"\":1}", "{\"a\":{\"b\":{}}}",
            "{\"a\":[[],[{}],null,true,false,\"x\",-1.5e-3]}", "{\"é\":\"ệ\",\"😀\":\"Đức\"}", "{\"a\":\"\\u0000\\u001f\\u007f\"}",
        ]
        for text in texts { Self.expectSame(Array(text.utf8)) }
        // Bytes that are not UTF-8, in a key, in a value and outside strings.
        for bytes: [UInt8] in [[0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D],
                               [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D], [0x7B, 0xC3, 0xA9, 0x7D],
                               [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x5C, 0x6E, 0xC3, 0x22, 0x7D]] {
            Self.expectSame(bytes)
        }
        // What JSON refuses and Foundation took: refused.
        #expect(JSONLineParser.object(Data("{\"a\":1,}".utf8)) == nil)
        #expect(JSONLineParser.object(Data("{\"a\":[1,]}".utf8)) == nil)
    }

    static let pieces = ["\"", "\\", "\\u", "\\ud83d", "\\ude00", "\\n", "{", "}", "[", "]", ":", ",", " ", "\n", "0", "1", "-", ".", "e",
                         "true", "null", "a", "é", "😀", "\u{01}", "\u{7f}", "\\u00", "9", "E+", "\\\"", "x"]

    static func randomValue(_ random: inout SeededGenerator, depth: Int) -> String {
        switch random.next(below: depth > 3 ? 4 : 6) {
        case 0: return numbers[random.next(below: numbers.count)]
        case 1: return ["true", "false", "null"][random.next(below: 3)]
        case 2, 3:
            let escapes = ["a", "é", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\u0041", "\\u00e9", "\\ud83d\\ude00", "\\u2028", "\\u0000", " ", "\u{7f}"]
            return "\"" + (0..<random.next(below: 6)).map { _ in escapes[random.next(below: escapes.count)] }.joined() + "\""
        case 4: return "[" + (0..<random.next(below: 4)).map { _ in randomValue(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default: return randomObject(&random, depth: depth + 1)
        }
    }

    static func randomObject(_ random: inout SeededGenerator, depth: Int) -> String {
        let keys = ["id", "title", "a", "é", "tags", "", "id"]
        let blanks = ["", " ", "\t", "\r\n"]
        return "{" + (0..<random.next(below: 5)).map { _ in
            blanks[random.next(below: 4)] + "\"\(keys[random.next(below: keys.count)])\"" + blanks[random.next(below: 4)] + ":"
                + blanks[random.next(below: 4)] + randomValue(&random, depth: depth)
        }.joined(separator: ",") + "}"
    }

    /// Well-formed lines, then the same lines broken a piece at a time: the two readers agree
    /// on every one.
    @Test(arguments: [UInt64(1), 2, 3])
    func randomLinesReadAsFoundationReadThem(_ seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<1500 {
            let line = Self.randomObject(&random, depth: 0)
            Self.expectSame(Array(line.utf8))
            var broken = Array(line.utf8)
            for _ in 0..<(1 + random.next(below: 3)) {
                let at = random.next(below: broken.count + 1)
                switch random.next(below: 3) {
                case 0: broken.insert(contentsOf: Array(Self.pieces[random.next(below: Self.pieces.count)].utf8), at: at)
                case 1: if at < broken.count { broken.remove(at: at) }
                default: if at < broken.count { broken[at] = Array(Self.pieces[random.next(below: Self.pieces.count)].utf8)[0] }
                }
            }
            Self.expectSame(broken)
        }
    }

    /// Nesting is bounded where Foundation bounds it, and a line nested far deeper is refused
    /// without exhausting the stack.
    @Test func deepNestingIsBounded() {
        for depth in [JSONLineParser.depthLimit - 2, JSONLineParser.depthLimit - 1, JSONLineParser.depthLimit, JSONLineParser.depthLimit + 1] {
            let arrays = "{\"a\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
            Self.expectSame(Array(arrays.utf8))
            let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            Self.expectSame(Array(objects.utf8))
        }
        #expect(JSONLineParser.object(Data(String(repeating: "{\"a\":1,\"b\":[", count: 50)
            .appending("1").appending(String(repeating: "]}", count: 50)).utf8)) != nil)
        #expect(JSONLineParser.object(Data(("{\"a\":" + String(repeating: "[", count: 1_000_000)).utf8)) == nil)
        #expect(JSONLineParser.object(Data(String(repeating: "{\"a\":", count: 1_000_000).utf8)) == nil)
    }

    /// A 20 MB note (the longest a backup's line may carry), with and without escapes.
    @Test func twentyMegabyteStringsReadWhole() {
        let plain = String(repeating: "Ghi chú dài ", count: 20 << 20 / 16)
        let line = Array("{\"notes\":\"\(plain)\"}".utf8)
        #expect(JSONLineParser.object(Data(line))?["notes"] == .string(plain))
        let escaped = Array(("{\"notes\":\"" + String(repeating: "a\\n\\u00e9\\ud83d\\ude00\\\"", count: 20 << 20 / 24) + "\"}").utf8)
        let expected = String(repeating: "a\né😀\"", count: 20 << 20 / 24)
        #expect(JSONLineParser.object(Data(escaped))?["notes"] == .string(expected))
        Self.expectSame(escaped)
    }

    /// A key written twice means its last value, as Foundation's dictionary kept it.
    @Test func aRepeatedKeyMeansItsLastValue() {
        let object = JSONLineParser.object(Data("{\"id\":1,\"title\":\"x\",\"id\":2}".utf8))
        #expect(object?["id"]?.integer == 2)
        #expect(object?.entries.count == 2)
    }

    /// The restore's byte-level reading of times gives what `Timestamp(iso8601:)` gives, on the
    /// form a backup writes and on texts near it.
    @Test func backupTimesReadAsTimestampReadsThem() {
        var random = SeededGenerator(seed: 24)
        let alphabet = Array("0123456789-T:.Z+ x") + ["ệ"]
        var texts = ["2026-12-07T01:50:42.211Z", "1970-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z",
                     "2024-02-29T12:00:00.000Z", "2023-02-29T12:00:00.000Z", "2026-12-07T24:00:00.000Z", "2026-12-07T23:60:00.000Z",
                     "2026-12-07T23:59:60.000Z", "2026-13-07T01:50:42.211Z", "2026-12-32T01:50:42.211Z", "2026-12-07T01:50:42Z",
                     "2026-12-07T01:50Z", "2026-12-07T01:50:42.2Z", "2026-12-07T01:50:42.211", "2026-12-07 01:50:42.211Z",
                     "2026-12-07T01:50:4a.211Z", "+026-12-07T01:50:42.211Z", "2026-12-07T01:50:42.21+Z"]
        for _ in 0..<20_000 {
            var text = Array(texts[random.next(below: 6)])
            for _ in 0..<(1 + random.next(below: 2)) {
                text[random.next(below: text.count)] = alphabet[random.next(below: alphabet.count)]
            }
            texts.append(String(text))
        }
        for text in texts {
            #expect(BackupDecoder.time(text) == Timestamp(iso8601: text), "\(text)")
        }
    }
}
