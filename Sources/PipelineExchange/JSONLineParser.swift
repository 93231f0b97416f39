import Foundation

/// A JSON value as a backup's line holds it: what `JSONLineParser` reads, and what the
/// restore's `BackupDecoder` checks, instead of Foundation's `[String: Any]` (issue 15: a
/// profile of the restore found most of its time in `JSONSerialization` and the bridging of
/// its values; see Docs/decisions.md).
enum JSONNode: Equatable {
    case null
    case bool(Bool)
    /// The number's text as the file has it, in JSON's grammar: read exactly, never through a
    /// binary float on the way.
    case number(String)
    case string(String)
    /// A number of the other layout, which Foundation read (`readWhole`): kept as Foundation
    /// made it, since its text would not always read back as the same kind of number
    /// (`5.842e15` became a double, whose text `5842000000000000.0` reads as a decimal).
    case foundationNumber(NSNumber)
    case array([JSONNode])
    case object(JSONObject)

    /// The value as `Int64(NSNumber.stringValue)` read the value `JSONSerialization` made of
    /// it, which is how a restore has always read integers: a plain integer as written
    /// (`-0` is 0), `true` and `false` as 1 and 0, and a number with a fraction or an
    /// exponent only when Foundation kept it as a decimal that is whole (`1e3`, `1.0` are
    /// not integers: they became binary floats). Those rare shapes are asked of Foundation
    /// itself, so that the answer is the same.
    var integer: Int64? {
        switch self {
        case .bool(let value): return value ? 1 : 0
        case .foundationNumber(let number): return Int64(number.stringValue)
        case .number(let text):
            if JSONLineParser.isPlainInteger(text) { return Int64(text) }
            return (Self.foundationNumber(text) as? NSNumber).flatMap { Int64($0.stringValue) }
        default: return nil
        }
    }

    /// The value as `as? Bool` read Foundation's: `true` and `false`, and a number that is
    /// exactly 0 or 1.
    var boolean: Bool? {
        switch self {
        case .bool(let value): return value
        case .foundationNumber(let number): return (number as Any) as? Bool
        case .number(let text):
            if JSONLineParser.isPlainInteger(text) {
                switch Int64(text) {
                case 0: return false
                case 1: return true
                default: return nil
                }
            }
            return Self.foundationNumber(text) as? Bool
        default: return nil
        }
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// What `JSONSerialization` makes of a number's text (an `NSNumber`), or nil when it
    /// refuses it (`1e400`: not representable).
    static func foundationNumber(_ text: String) -> Any? {
        guard let array = try? JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [Any] else { return nil }
        return array.first
    }

    /// The value `JSONSerialization` handed out, as a node: how the other layout of a backup
    /// (read whole, by Foundation) reaches the same decoder.
    init(foundation value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case is NSNull: self = .null
        case let number as NSNumber:
            if type(of: number) == type(of: NSNumber(value: true)) {
                self = .bool(number.boolValue)
            } else {
                self = .foundationNumber(number)
            }
        case let items as [Any]: self = .array(items.map(JSONNode.init(foundation:)))
        case let object as [String: Any]: self = .object(JSONObject(foundation: object))
        default: self = .null
        }
    }
}

/// An object's members in the order written. A key written twice means its last value, as
/// Foundation's dictionary kept it.
struct JSONObject: Equatable {
    var members: [(key: String, value: JSONNode)] = []

    subscript(key: String) -> JSONNode? {
        // Backwards: the last of a repeated key wins. An object of a backup has some 27
        // members, for which a scan beats hashing.
        var index = members.count
        while index > 0 {
            index -= 1
            if members[index].key == key { return members[index].value }
        }
        return nil
    }

    /// Each key once, with its last value.
    var entries: [String: JSONNode] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    init(members: [(key: String, value: JSONNode)] = []) { self.members = members }

    init(foundation object: [String: Any]) {
        members = object.map { ($0.key, JSONNode(foundation: $0.value)) }
    }

    static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.entries == right.entries
    }
}

/// Reads one JSON text (a backup's line) into a `JSONNode`: RFC 8259's grammar exactly —
/// what JSON refuses is refused (a bad escape, a lone surrogate, a control character in a
/// string, a number JSON does not allow, a trailing comma, anything after the value) — and
/// nesting is bounded (`depthLimit`), so that no line can exhaust the stack.
///
/// Hand-written rather than Foundation's `JSONSerialization`: the restore's profile (issue
/// 15) put most of its time there and in bridging its `Any` values; this reads bytes into
/// typed values, strings without escapes straight from the line.
struct JSONLineParser {
    /// Foundation's own bound, so that the two agree on what nests too deeply.
    static let depthLimit = 512

    struct Failure: Error, Equatable {
        /// The byte offset the text stopped making sense at.
        var offset: Int
        var reason: Reason
    }

    /// Why the text is not JSON, in the few plain reasons a restore's message gives.
    enum Reason: Equatable {
        /// The text ends where more of the value was due (a closing bracket missing).
        case endsEarly
        /// A string's closing quote is missing (`offset`: its opening quote).
        case stringNotClosed
        /// After a member or an item, neither a comma nor the closing bracket (`}` or `]`).
        case commaMissing(closing: Character)
        /// A comma with no value after it (`[1,]`, `[1,,2]`).
        case commaExtra
        /// A closing bracket where a value was due (`{"a": }`).
        case valueMissing
        /// A key not in double quotes (`{a: 1}`, `{'a': 1}`).
        case keyExpected
        /// A key without its colon.
        case colonMissing
        /// A word that is no JSON value: `True`, `'x'`, `NaN`, `undefined` (shown as it is).
        case notAValue(String)
        /// A character below U+0020 inside a string.
        case controlCharacter
        /// A backslash JSON does not know, bad hexadecimal digits, or a lone surrogate.
        case badEscape
        /// Deeper than `depthLimit`.
        case tooDeep
        /// A string that is not UTF-8.
        case notUTF8
        /// A number no reader can hold (`1e400`).
        case numberTooLarge
        /// A closing bracket after the value is whole.
        case bracketExtra
        /// Anything else after the value.
        case textAfterValue
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    /// Scratch for strings with escapes.
    private var scratch: [UInt8] = []
    /// Whether a number other than a plain integer was read (see `representable`).
    private var sawUnusualNumber = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The value `data` holds, whole.
    static func parse<Bytes: ContiguousBytes>(_ data: Bytes) throws(Failure) -> JSONNode {
        let result: Result<JSONNode, Failure> = data.withUnsafeBytes { raw in
            var parser = JSONLineParser(raw.bindMemory(to: UInt8.self))
            return Result { () throws(Failure) in try parser.document() }
        }
        return try result.get()
    }

    /// The object `data` holds, or nil when it holds anything else or is not JSON.
    static func object<Bytes: ContiguousBytes>(_ data: Bytes) -> JSONObject? {
        guard case .object(let object)? = try? parse(data) else { return nil }
        return object
    }

    /// Digits with at most a leading minus, at most 18 of them: a number every reader keeps
    /// exactly as an integer.
    static func isPlainInteger(_ text: String) -> Bool {
        var digits = 0
        for (index, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: "-") && index == 0 { continue }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            digits += 1
        }
        return digits > 0 && digits <= 18
    }

    private mutating func document() throws(Failure) -> JSONNode {
        skipWhitespace()
        let value = try value()
        skipWhitespace()
        if let byte = current {
            throw fail(byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") ? .bracketExtra : .textAfterValue)
        }
        if sawUnusualNumber, !Self.representable(value) { throw Failure(offset: 0, reason: .numberTooLarge) }
        return value
    }

    /// Whether Foundation could hold every number that counts: it refused a line with a
    /// number it cannot hold (`1e400`) — unless a later repeat of the key replaced it first,
    /// since it made its dictionary before its numbers.
    private static func representable(_ node: JSONNode) -> Bool {
        switch node {
        case .number(let text): return isPlainInteger(text) || JSONNode.foundationNumber(text) != nil
        case .array(let items): return items.allSatisfy(representable)
        case .object(let object): return object.entries.values.allSatisfy(representable)
        default: return true
        }
    }

    private func fail(_ reason: Reason) -> Failure { Failure(offset: position, reason: reason) }

    /// The word at `from` that is no JSON value, as a message may show it (at most 20
    /// characters, up to white space or punctuation; "?" when it holds what a terminal must not see).
    private func word(from start: Int) -> Failure {
        var end = start
        while end < bytes.count, end - start < 20 {
            let byte = bytes[end]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { break }
            end += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<max(end, start + 1)]), as: UTF8.self)
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value)
            && !(0x202A...0x202E).contains($0.value) && !(0x2066...0x2069).contains($0.value) && $0 != "\u{FFFD}" }
        return Failure(offset: start, reason: .notAValue(printable ? text : "?"))
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Failure) -> JSONNode {
        guard let byte = current else { throw fail(.endsEarly) }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: ","): throw fail(.commaExtra)
        case UInt8(ascii: "}"), UInt8(ascii: "]"): throw fail(.valueMissing)
        default: throw word(from: position)
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        let available = min(count, bytes.count - position)
        for index in 0..<available where bytes[position + index] != word.utf8Start[index] { throw self.word(from: position) }
        // A line cut short in the middle of `true`.
        guard available == count else { position = bytes.count; throw fail(.endsEarly) }
        position += count
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.depthLimit else { throw fail(.tooDeep) }
    }

    private mutating func object() throws(Failure) -> JSONObject {
        try enter()
        position += 1
        var members: [(key: String, value: JSONNode)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return JSONObject(members: members)
        }
        while true {
            switch current {
            case UInt8(ascii: "\""): break
            case nil: throw fail(.endsEarly)
            case UInt8(ascii: "}"): throw fail(members.isEmpty ? .keyExpected : .commaExtra)
            default: throw fail(.keyExpected)
            }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail(current == nil ? .endsEarly : .colonMissing) }
            position += 1
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1; skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return JSONObject(members: members)
            case nil: throw fail(.endsEarly)
            default: throw fail(.commaMissing(closing: "}"))
            }
        }
    }

    private mutating func array() throws(Failure) -> JSONNode {
        try enter()
        position += 1
        var items: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            if current == UInt8(ascii: "]") { throw fail(.commaExtra) }  // only after a comma
            items.append(try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1; skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(items)
            case nil: throw fail(.endsEarly)
            default: throw fail(.commaMissing(closing: "]"))
            }
        }
    }

    /// A string from its opening quote; without escapes (nearly every one) straight from
    /// the bytes, validated as UTF-8.
    private mutating func string() throws(Failure) -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) else {
                    throw Failure(offset: start - 1, reason: .notUTF8)
                }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw fail(.controlCharacter) }
            position += 1
        }
        throw Failure(offset: start - 1, reason: .stringNotClosed)
    }

    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scratch, as: UTF8.self) else { throw Failure(offset: start - 1, reason: .notUTF8) }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                let backslash = position
                func bad() -> Failure { Failure(offset: backslash, reason: .badEscape) }
                position += 1
                guard let escape = current else { throw Failure(offset: start - 1, reason: .stringNotClosed) }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    position += 1
                    guard var scalar = hexQuad() else { throw bad() }
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by the escape of a low one.
                        guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
                              bytes[position + 1] == UInt8(ascii: "u") else { throw bad() }
                        position += 2
                        guard let low = hexQuad(), (0xDC00...0xDFFF).contains(low) else { throw bad() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw bad()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw bad() }
                    scratch.append(contentsOf: UTF8.encode(unicode)!)
                    continue
                default: throw bad()
                }
                position += 1
            default:
                guard byte >= 0x20 else { throw fail(.controlCharacter) }
                scratch.append(byte)
                position += 1
            }
        }
        throw Failure(offset: start - 1, reason: .stringNotClosed)
    }

    /// Four hexadecimal digits, or nil.
    private mutating func hexQuad() -> UInt32? {
        guard bytes.count - position >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// A number in JSON's grammar: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?.
    /// One Foundation cannot hold (`1e400`) is refused at the end, as it refused it
    /// (`representable`).
    private mutating func number() throws(Failure) -> String {
        let start = position
        func digits(_ parser: inout JSONLineParser) -> Int {
            let from = parser.position
            while let byte = parser.current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { parser.position += 1 }
            return parser.position - from
        }
        // `-`, `1.`, `1e`, `-Infinity`: no number JSON allows, shown whole.
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard digits(&self) > 0 else { throw word(from: start) }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw word(from: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw word(from: start) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if !Self.isPlainInteger(text) { sawUnusualNumber = true }
        return text
    }
}
