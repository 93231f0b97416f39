/// A JSON document written exactly as the CLI's schemas say: keys in a stable order,
/// numbers as exact decimal text (never through a binary float), and every control or
/// bidirectional character escaped so that no output can drive a terminal.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// Already-formatted decimal text: `50`, `12.5`, `42`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func int<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// On one line, for files written a record a line.
    public var compact: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return Self.quoted(text)
        case .array(let items): return "[" + items.map(\.compact).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { Self.quoted($0.0) + ":" + $0.1.compact }.joined(separator: ",") + "}"
        }
    }

    /// Pretty-printed with two-space indentation.
    public func rendered(indent: Int = 0) -> String {
        let padding = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return Self.quoted(text)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(padding)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
                .joined(separator: ",\n") + "\n\(padding)}"
        }
    }

    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                switch scalar.value {
                case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default:
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension JSONValue {
    /// Writes `compact`'s bytes straight into `output`, without building the text: how a
    /// backup writes its records (issue 15).
    public func write(to output: ByteWriter) {
        output.append { write(into: &$0) }
    }

    func write(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): Self.writeQuoted(text, into: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                item.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.writeQuoted(member.0, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                member.1.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// `quoted(text)`'s bytes, found over the text's UTF-8: runs that need no escape are
    /// copied whole.
    static func writeQuoted(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            attention.withUnsafeBufferPointer { attention in
                var start = 0, index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    // Nearly every byte is none that may begin an escape: one look-up says so
                    // (the branches below, taken for every byte, were a sixth of a backup's time).
                    guard attention[Int(byte)] else {
                        index += 1
                        continue
                    }
                    // How many bytes the scalar at `index` takes, when it is escaped; 0 when it is not.
                    let escaped: Int
                    switch byte {
                    case 0x00...0x1F, 0x22, 0x5C, 0x7F: escaped = 1
                    case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]): escaped = 2  // C1 controls
                    case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (0xA8...0xAE).contains(bytes[index + 2]):
                        escaped = 3  // U+2028…U+202E: line and paragraph separators, bidirectional embeddings and overrides
                    case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x81 && (0xA6...0xA9).contains(bytes[index + 2]):
                        escaped = 3  // U+2066…U+2069: bidirectional isolates
                    default: escaped = 0
                    }
                    if escaped == 0 {
                        index += 1
                        continue
                    }
                    if start < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                    writeEscape(Self.scalar(bytes, at: index, length: escaped), into: &output)
                    index += escaped
                    start = index
                }
                if start < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The bytes that may begin an escaped scalar: controls, `"`, `\\`, DEL, and the lead
    /// bytes of C1 controls (0xC2) and of the separators and bidirectional marks (0xE2).
    private static let attention: [Bool] = (0...255).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 || byte == 0xE2
    }

    /// The scalar of a one-, two- or three-byte UTF-8 sequence.
    private static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> UInt32 {
        switch length {
        case 1: return UInt32(bytes[index])
        case 2: return UInt32(bytes[index] & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
        default: return UInt32(bytes[index] & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeEscape(_ scalar: UInt32, into output: inout [UInt8]) {
        switch scalar {
        case 0x22: output.append(contentsOf: "\\\"".utf8)
        case 0x5C: output.append(contentsOf: "\\\\".utf8)
        case 0x0A: output.append(contentsOf: "\\n".utf8)
        case 0x09: output.append(contentsOf: "\\t".utf8)
        case 0x0D: output.append(contentsOf: "\\r".utf8)
        default:
            // `\u` and four lowercase hex digits, as `quoted` writes them.
            output.append(contentsOf: "\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { output.append(hexDigits[Int((scalar >> UInt32(shift)) & 0xF)]) }
        }
    }
}
