import Foundation

/// Bytes written to a file descriptor in large blocks, with every failure kept instead of
/// trapping (FileHandle's `write(_:)` ends the process on a full disk): the first failure
/// stops the writing, and `flush()` throws it.
public final class ByteWriter {
    /// Where the bytes go: standard output, or a file being written (see `OutputFile`).
    public enum Destination: Sendable {
        case standardOutput
        case file(descriptor: Int32, path: String)
    }

    let destination: Destination
    private var buffer: [UInt8] = []
    private let blockSize = 1 << 16
    /// The first failure; nothing is written after it.
    public private(set) var failure: FileError?
    /// A descriptor that becomes readable when writing must stop (the CLI's Ctrl-C pipe), or
    /// -1. A write to a pipe or a terminal can wait for ever on a reader that does not read
    /// (a pager); it waits for this one too, so that Ctrl-C ends it at once. A file never waits.
    public var stopDescriptor: Int32 = -1

    public init(_ destination: Destination) {
        self.destination = destination
        buffer.reserveCapacity(blockSize)
    }

    private var descriptor: Int32 {
        switch destination {
        case .standardOutput: return STDOUT_FILENO
        case .file(let descriptor, _): return descriptor
        }
    }

    /// Adds bytes; false once writing has failed.
    @discardableResult
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard failure == nil else { return false }
        buffer.append(contentsOf: bytes)
        if buffer.count >= blockSize { writeBuffer() }
        return failure == nil
    }

    /// Lets `body` add to the buffer itself: a record's many small pieces then cost one
    /// access to the buffer, not one each (every access to a class's property is checked
    /// for exclusivity at run time, a fifth of a backup's time when it was per piece).
    public func append(_ body: (inout [UInt8]) throws -> Void) rethrows {
        guard failure == nil else { return }
        try body(&buffer)
        if buffer.count >= blockSize { writeBuffer() }
    }

    public func write(_ text: String) {
        var text = text
        _ = text.withUTF8 { write($0) }
    }

    /// Writes what is buffered; throws the first failure, if any.
    public func flush() throws(FileError) {
        writeBuffer()
        if let failure { throw failure }
    }

    private func writeBuffer() {
        guard failure == nil, !buffer.isEmpty else { return }
        let descriptor = descriptor
        let failed: Int32? = buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                if stopDescriptor >= 0, case .standardOutput = destination, let stopped = waitForRoomOrStop(descriptor) { return stopped }
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        buffer.removeAll(keepingCapacity: true)
        if let failed { failure = Self.failure(failed, destination) }
    }

    /// Waits until `descriptor` takes bytes or the stop descriptor is readable; the latter is
    /// an interrupted write (`EINTR`), which the command takes for the stop.
    private func waitForRoomOrStop(_ descriptor: Int32) -> Int32? {
        var watched = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0),
                       pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)]
        while true {
            if poll(&watched, 2, -1) < 0 {
                if errno == EINTR { continue }
                return nil  // the write itself then says what is wrong
            }
            if watched[1].revents != 0 { return EINTR }
            if watched[0].revents != 0 { return nil }
        }
    }

    /// The failure an `errno` from writing to `destination` means.
    public static func failure(_ code: Int32, _ destination: Destination) -> FileError {
        switch destination {
        case .standardOutput:
            return code == EPIPE ? .outputClosed : .cannotWriteOutput(reason: String(cString: strerror(code)))
        case .file(_, let path):
            return .fromErrno(code, path: path, writing: true)
        }
    }
}
