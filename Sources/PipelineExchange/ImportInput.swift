import Foundation
import PipelineCore
import PipelineStorage

/// Where an import reads from: a regular file, or standard input (`-`, `/dev/stdin`, a
/// `/dev/fd/N` that a shell's `<(…)` names). Anything else that is not a regular file — a
/// folder, a FIFO, a device such as `/dev/zero` — is refused at once, before a byte is read.
public final class ImportSource {
    /// How messages name it: the path, or "standard input".
    public let name: String
    /// The path as given, to tell a backup by its `.json` extension.
    public let path: String
    let descriptor: Int32
    private let owned: Bool
    /// The size of a regular file, to tell how far along reading it is; nil for a stream.
    public let size: Int64?
    /// Bytes read so far.
    public private(set) var bytesRead: Int64 = 0
    /// A descriptor that becomes readable when reading must stop (the CLI's Ctrl-C pipe), or
    /// -1. A read from a terminal or a pipe can wait for ever; it waits for this one too, so
    /// that Ctrl-C ends it at once instead of at the next line typed or piped. A regular file
    /// never waits: its rows reach the import's own check of Ctrl-C.
    public var stopDescriptor: Int32 = -1

    public init(_ path: String, standardInputName: String = "standard input") throws(FileError) {
        self.path = path
        if path == "-" {
            name = standardInputName
            descriptor = STDIN_FILENO
            owned = false
        } else {
            name = path
            // Non-blocking, so that opening a FIFO nobody writes to does not wait; a regular
            // file reads the same either way.
            let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileError.fromErrno(errno, path: path, writing: false) }
            self.descriptor = descriptor
            owned = true
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            if owned { close(descriptor) }
            throw FileError.fromErrno(code, path: path, writing: false)
        }
        let kind = status.st_mode & S_IFMT
        size = kind == S_IFREG && status.st_size > 0 ? Int64(status.st_size) : nil
        // Standard input is read whatever it is (a pipe, a file, a terminal): the user chose
        // it. A named path must be a regular file.
        let isStream = !owned || Self.namesStandardInputOrAnOpenFile(path)
        guard kind == S_IFREG || (isStream && kind != S_IFDIR) else {
            if owned { close(descriptor) }
            throw FileError.notARegularFile(path: path, kind: FileKind(mode: status.st_mode))
        }
        if owned {
            // Back to blocking reads: a pipe behind /dev/fd/N is read as it comes.
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        }
    }

    deinit { if owned { close(descriptor) } }

    /// `/dev/stdin`, `/dev/fd/N` and `/proc/self/fd/N`: names of what the process already has
    /// open, as a shell hands them over.
    static func namesStandardInputOrAnOpenFile(_ path: String) -> Bool {
        if path == "/dev/stdin" { return true }
        for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
            return Int(path.dropFirst(prefix.count)) != nil
        }
        return false
    }

    /// Reads up to `count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FileError) -> Int {
        if stopDescriptor >= 0, size == nil { try waitForInputOrStop() }
        while true {
            let result = Glibc.read(descriptor, buffer, count)
            if result >= 0 {
                bytesRead += Int64(result)
                return result
            }
            if errno == EINTR { continue }
            throw FileError.fromErrno(errno, path: name, writing: false)
        }
    }

    /// Waits until the input has bytes (or its end) or the stop descriptor is readable; the
    /// latter is an interrupted read (`EINTR`'s error), which the caller takes for the stop.
    private func waitForInputOrStop() throws(FileError) {
        var watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&watched, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }  // the signal itself: its pipe says what it meant
                throw FileError.fromErrno(errno, path: name, writing: false)
            }
            if watched[1].revents != 0 { throw FileError.fromErrno(EINTR, path: name, writing: false) }
            if watched[0].revents != 0 { return }
        }
    }
}

/// Why the bytes of an import are not text it can read, and where: the physical line and
/// the character on it, counted from 1.
public struct TextProblem: UserFacingError, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A byte that is not valid in the encoding; `guess` names the encoding the file is
        /// likely in when it was read as UTF-8 without `--encoding`.
        case invalidByte(UInt8, encoding: String, guess: String?)
        /// A NUL byte: a binary file, or UTF-16 without its byte-order mark (`utf16`).
        case nulByte(utf16: String?)
        /// A record (CSV) or line (backup) longer than the limit: not a file we wrote.
        case tooLong(limit: Int)
        /// A quoted field still open at the end of the file.
        case openQuote
        case unreadable(FileError)
    }

    public var kind: Kind
    public var line: Int
    public var column: Int

    /// `line 4, column 12: …`
    public func message(in language: Language) -> String {
        Catalogue.text("text.at", language, [String(line), String(column), reason(in: language)])
    }

    public var message: String { message(in: .english) }

    /// What is wrong, without where.
    public func reason(in language: Language) -> String {
        let t = Localizer(language)
        switch kind {
        case .invalidByte(let byte, let encoding, let guess):
            let hex = "0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            if let guess { return t("text.notUTF8.guess", hex, guess) }
            return t("text.invalidByte", hex, encoding)
        case .nulByte(let utf16):
            return utf16.map { t("text.utf16WithoutBOM", $0) } ?? t("text.binary")
        case .tooLong(let limit): return t("text.tooLong", limit / (1 << 20))
        case .openQuote: return t("text.openQuote")
        case .unreadable(let error): return error.message(in: language)
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The text of an import as UTF-8 that is known to be valid: converted with iconv from the
/// encoding `--encoding` names (or that a UTF-16 byte-order mark announces), and stopped at
/// the first byte that is not text — a byte invalid in its encoding, anywhere, even just
/// before a line break or at the very end, or a NUL — with the physical line and column.
/// Bytes are read a block at a time, so memory does not follow the input's size.
public final class TextStream {
    let source: ImportSource
    /// The encoding the bytes are read as, for messages (`UTF-8` unless converted).
    public let encoding: String
    private let converter: Converter?
    /// Set when UTF-8 was assumed rather than asked for: an invalid byte then earns a guess.
    private let guessing: Bool

    /// Text not handed out yet.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// Bytes read but not converted yet (an incomplete sequence at a block's end).
    private var carry: [UInt8] = []
    private var sourceFinished = false
    private var sawText = false
    /// The first bytes read, to guess an encoding from.
    private var sample: [UInt8] = []
    public private(set) var problem: TextProblem?

    /// Text handed to the reader so far, text made so far, and the bytes of the input that
    /// text was made from.
    private var handedOut = 0
    /// Text its reader has made rows of (set by `CSVRecordReader`), when it says.
    var consumed: Int?
    private var produced = 0
    private var convertedFrom: Int64 = 0

    /// The share of the file its reader has taken so far, when the file has a size: the bytes
    /// of the input behind the text handed out (in the input's encoding), over its size. Not
    /// the bytes read, which run ahead by the blocks held here: on a file of a few blocks the
    /// share said 100 % at the first row. Ahead of the rows by what the reader itself holds.
    public var fractionRead: Double? {
        source.size.map { size in
            guard produced > 0 else { return 0 }
            return min(1, Double(convertedFrom) * (Double(consumed ?? handedOut) / Double(produced)) / Double(size))
        }
    }

    // Where the next byte checked stands.
    private var line = 1
    private var column = 0
    private var afterCarriageReturn = false
    /// Validation of UTF-8 read as it is: continuation bytes still to come, and the
    /// sequence's first byte.
    private var continuationBytes = 0
    private var sequenceStart: UInt8 = 0
    private var sequenceIndex = 0

    /// - Parameter encoding: an iconv name (`windows-1258`, `TCVN-5712`, `VISCII`, …);
    ///   `nil` reads UTF-8, or UTF-16 when the input starts with its byte-order mark.
    public init(_ source: ImportSource, encoding: String?) throws {
        self.source = source
        var first = [UInt8](repeating: 0, count: 1 << 16)
        var count = 0
        // Enough for a byte-order mark, even from a pipe that hands over a byte at a time.
        while count < 4 {
            let read = try first[count...].withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
            if read == 0 { sourceFinished = true; break }
            count += read
        }
        first.removeSubrange(count...)
        if let encoding {
            guard let converter = Converter(from: encoding) else { throw TextEncodingError.unknown(encoding) }
            self.converter = converter
            self.encoding = encoding.uppercased()
            guessing = false
        } else if first.starts(with: [0xFF, 0xFE]) || first.starts(with: [0xFE, 0xFF]) {
            // UTF-16 with its byte-order mark: what Excel's "Unicode text" writes.
            converter = Converter(from: "UTF-16")
            self.encoding = "UTF-16"
            guessing = false
        } else {
            converter = nil
            self.encoding = "UTF-8"
            guessing = true
        }
        sample = first
        carry = first
    }

    /// Whether iconv converts from `encoding`.
    public static func knows(_ encoding: String) -> Bool { Converter(from: encoding) != nil }

    /// The first `count` bytes of text not read yet (fewer at the end), left in place: to
    /// tell a backup from a CSV file, and `,` from `;`.
    public func peek(_ count: Int) -> [UInt8] {
        while pending.count - pendingStart < count, problem == nil, !(sourceFinished && carry.isEmpty) {
            fill()
        }
        return Array(pending[pendingStart..<min(pending.count, pendingStart + count)])
    }

    /// Copies up to `count` bytes of text; 0 at the end, or after a problem (see `problem`).
    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        while pendingStart == pending.count {
            if problem != nil || (sourceFinished && carry.isEmpty) { return 0 }
            fill()
        }
        let available = min(count, pending.count - pendingStart)
        pending.withUnsafeBufferPointer { bytes in
            buffer.update(from: bytes.baseAddress! + pendingStart, count: available)
        }
        pendingStart += available
        handedOut += available
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
        return available
    }

    /// Reads the next block, converts it and checks every byte of it.
    private func fill() {
        if !sourceFinished, carry.count < 1 << 16 {
            var block = [UInt8](repeating: 0, count: 1 << 16)
            do {
                let read = try block.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
                if read == 0 { sourceFinished = true } else { carry += block[0..<read] }
                if sample.count < 1 << 16 { sample += block[0..<min(read, (1 << 16) - sample.count)] }
            } catch let error as FileError {
                fail(.unreadable(error), column: column + 1)
                return
            } catch {
                fail(.unreadable(.cannotRead(path: source.name, reason: "\(error)")), column: column + 1)
                return
            }
        }
        var text: [UInt8]
        var invalid: UInt8?
        if let converter {
            (text, invalid) = converter.convert(&carry, final: sourceFinished)
        } else {
            text = carry
            carry.removeAll(keepingCapacity: true)
        }
        if !sawText, !text.isEmpty {
            sawText = true
            if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }  // a byte-order mark is no text
        }
        let sound = check(text)
        text.removeSubrange(sound...)
        if problem == nil, let invalid {
            fail(.invalidByte(invalid, encoding: encoding, guess: nil), column: column + 1)
        }
        if problem == nil, converter == nil, sourceFinished, carry.isEmpty, continuationBytes > 0 {
            // The file ends inside a character.
            fail(.invalidByte(sequenceStart, encoding: encoding, guess: guess()), column: column)
        }
        pending += text
        produced += text.count
        convertedFrom = source.bytesRead - Int64(carry.count)
    }

    /// Walks `bytes`, keeping the line and column, validating UTF-8 when it was not
    /// converted (iconv checks what it converts), and stops at the first problem. Returns
    /// how many bytes are sound.
    ///
    /// The walk keeps its state in locals, stored back once at its end or at the problem:
    /// an object's property read and written per byte (an exclusivity check each time) cost
    /// more than the check itself. Eight printable ASCII bytes in a row, most of any file,
    /// are taken at once.
    private func check(_ bytes: [UInt8]) -> Int {
        let validating = converter == nil
        var line = self.line, column = self.column, afterCarriageReturn = self.afterCarriageReturn
        var continuationBytes = self.continuationBytes, sequenceStart = self.sequenceStart, sequenceIndex = self.sequenceIndex
        func store() {
            self.line = line
            self.column = column
            self.afterCarriageReturn = afterCarriageReturn
            self.continuationBytes = continuationBytes
            self.sequenceStart = sequenceStart
            self.sequenceIndex = sequenceIndex
        }
        return bytes.withUnsafeBytes { raw -> Int in
            let count = raw.count
            var index = 0
            while index < count {
                if index + 8 <= count, continuationBytes == 0, !afterCarriageReturn {
                    // No byte with its high bit set and none below 0x0E (NUL, LF, CR).
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let high: UInt64 = 0x8080_8080_8080_8080
                    if word & high == 0, (word &- 0x0E0E_0E0E_0E0E_0E0E) & ~word & high == 0 {
                        column += 8
                        index += 8
                        continue
                    }
                }
                let byte = raw[index]
                index += 1
                if validating && continuationBytes > 0 {
                    guard byte & 0xC0 == 0x80, Self.isValidContinuation(byte, after: sequenceStart, at: sequenceIndex) else {
                        // The character began earlier on this line: it is the one at fault.
                        store()
                        fail(.invalidByte(sequenceStart, encoding: encoding, guess: guess()), column: column)
                        return index - 1
                    }
                    continuationBytes -= 1
                    sequenceIndex += 1
                    continue
                }
                if afterCarriageReturn, byte != UInt8(ascii: "\n") {
                    // A lone carriage return ends a line too (the CSV reader agrees).
                    line += 1
                    column = 0
                }
                afterCarriageReturn = false
                switch byte {
                case 0:
                    store()
                    fail(.nulByte(utf16: utf16Guess()), column: column + 1)
                    return index - 1
                case UInt8(ascii: "\n"):
                    line += 1
                    column = 0
                case UInt8(ascii: "\r"):
                    afterCarriageReturn = true
                case 0x80...:
                    column += 1
                    guard validating else { continue }
                    let length = Self.sequenceLength(byte)
                    guard length > 1 else {
                        store()
                        fail(.invalidByte(byte, encoding: encoding, guess: guess()), column: column)
                        return index - 1
                    }
                    continuationBytes = length - 1
                    sequenceStart = byte
                    sequenceIndex = 1
                default:
                    column += 1
                }
            }
            store()
            return count
        }
    }

    private func fail(_ kind: TextProblem.Kind, column: Int) {
        guard problem == nil else { return }
        problem = afterCarriageReturn ? TextProblem(kind: kind, line: line + 1, column: 1)
            : TextProblem(kind: kind, line: line, column: max(1, column))
    }

    /// The bytes a UTF-8 sequence starting with `byte` takes; 0 for a byte none starts with.
    static func sequenceLength(_ byte: UInt8) -> Int {
        switch byte {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    /// Refuses overlong forms, surrogates and scalars past U+10FFFF, as Unicode requires.
    static func isValidContinuation(_ byte: UInt8, after start: UInt8, at index: Int) -> Bool {
        guard index == 1 else { return true }
        switch start {
        case 0xE0: return byte >= 0xA0
        case 0xED: return byte <= 0x9F
        case 0xF0: return byte >= 0x90
        case 0xF4: return byte <= 0x8F
        default: return true
        }
    }

    /// The encoding a file that is not UTF-8 is likely in, from its first block.
    private func guess() -> String? {
        guessing ? EncodingGuess.likely(sample) : nil
    }

    /// `utf-16le` or `utf-16be` when the first block's NULs fall where UTF-16 without a
    /// byte-order mark puts them (Latin text: every other byte).
    private func utf16Guess() -> String? {
        guard guessing, sample.count >= 4 else { return nil }
        let pairs = sample.count / 2
        let evenZeros = stride(from: 0, to: pairs * 2, by: 2).filter { sample[$0] == 0 }.count
        let oddZeros = stride(from: 1, to: pairs * 2, by: 2).filter { sample[$0] == 0 }.count
        if oddZeros * 10 >= pairs * 6, evenZeros * 10 < pairs { return "utf-16le" }
        if evenZeros * 10 >= pairs * 6, oddZeros * 10 < pairs { return "utf-16be" }
        return nil
    }
}

/// An `--encoding` that iconv does not know.
public enum TextEncodingError: UserFacingError, Equatable, Sendable {
    case unknown(String)

    public var message: String { message(in: .english) }

    public func message(in language: Language) -> String {
        switch self {
        case .unknown(let name): return Catalogue.text("text.unknownEncoding", language, [name])
        }
    }
}

/// glibc's iconv, converting to UTF-8 a block at a time.
final class Converter {
    private let handle: iconv_t

    init?(from encoding: String) {
        let handle = iconv_open("UTF-8", encoding)
        guard let handle, Int(bitPattern: handle) != -1 else { return nil }
        self.handle = handle
    }

    deinit { iconv_close(handle) }

    /// Converts what it can of `input`, leaving in it an incomplete sequence at its end
    /// (unless `final`, when the converter also writes out what a stateful encoding still
    /// holds); stops at the first invalid byte, which it returns.
    func convert(_ input: inout [UInt8], final: Bool) -> (output: [UInt8], invalidByte: UInt8?) {
        var output: [UInt8] = []
        var invalid: UInt8?
        var consumed = 0
        input.withUnsafeMutableBytes { raw in
            var inPointer = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = raw.count
            var block = [UInt8](repeating: 0, count: max(4096, raw.count * 4))
            var flushing = false
            while true {
                let (produced, result, code): (Int, Int, Int32) = block.withUnsafeMutableBytes { outRaw in
                    var outPointer = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outLeft = outRaw.count
                    let result = flushing ? iconv(handle, nil, nil, &outPointer, &outLeft)
                        : iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (outRaw.count - outLeft, result, errno)
                }
                output += block[0..<produced]
                if result == -1 {
                    if code == E2BIG { continue }
                    if code == EINVAL && !final { break }  // an incomplete sequence: the rest comes next
                    invalid = inLeft > 0 ? raw[raw.count - inLeft] : 0
                    break
                }
                if flushing || !final { break }
                flushing = true
            }
            consumed = raw.count - inLeft
        }
        input.removeSubrange(0..<consumed)
        if invalid != nil { input.removeAll() }
        return (output, invalid)
    }
}

/// Names the encoding a file that is not UTF-8 was most likely saved in, from a sample: the
/// Vietnamese encoding (Windows-1258, TCVN-5712 or VISCII) that reads the most common
/// Vietnamese words out of it, else Windows-1252, the Western spreadsheets' default (a
/// superset of ISO-8859-1's letters). Each Vietnamese encoding turns any byte above 127
/// into some Vietnamese letter, so letters prove nothing; whole words do.
enum EncodingGuess {
    static let vietnamese = ["WINDOWS-1258", "TCVN5712-1", "VISCII"]

    /// Words with diacritics that a Vietnamese sales file is all but certain to hold some of.
    static let words: Set<String> = Set("""
        của và các có không được người một những cho với công hàng việt tiền hợp đồng khách là trong này đã sẽ để \
        từ theo năm tháng ngày giá bán sản phẩm dịch vụ đơn thanh toán nguyễn trần lê phạm hoàng huỳnh vũ võ đặng \
        bùi đỗ hồ ngô dương lý hà nội thành phố chí đà nẵng cần thơ hải phòng cổ phần giám đốc chị ông bà liên hệ \
        điện thoại địa chỉ ghi chú cơ hội mới chất lượng đề xuất thương lượng chốt tiềm năng nhóm
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    static func likely(_ sample: [UInt8]) -> String {
        var best: (name: String, score: Int)?
        for name in vietnamese {
            guard let converter = Converter(from: name) else { continue }
            var input = sample
            let text = String(decoding: converter.convert(&input, final: true).output, as: UTF8.self)
            let score = text.precomposedStringWithCanonicalMapping.lowercased()
                .split(whereSeparator: { !$0.isLetter }).filter { words.contains(String($0)) }.count
            if score > (best?.score ?? 0) { best = (name, score) }
        }
        return (best?.name ?? "WINDOWS-1252").lowercased()
    }
}
