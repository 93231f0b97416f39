import Foundation

/// An output stream that gathers bytes and writes them in large blocks: the CSV writer
/// hands over one byte at a time, and exports must neither crawl nor hold the whole file.
final class BufferedOutput: OutputStream {
    private let handle: FileHandle
    private var buffer = Data()
    private let blockSize = 1 << 16

    init(handle: FileHandle) {
        self.handle = handle
        super.init(toMemory: ())
    }

    required init(toMemory: ()) {
        handle = .standardOutput
        super.init(toMemory: ())
    }

    override func open() {}
    override func close() { flush() }
    override var hasSpaceAvailable: Bool { true }
    override var streamStatus: Stream.Status { .open }

    override func write(_ bytes: UnsafePointer<UInt8>, maxLength length: Int) -> Int {
        buffer.append(bytes, count: length)
        if buffer.count >= blockSize { flush() }
        return length
    }

    func writeText(_ text: String) {
        buffer.append(contentsOf: Array(text.utf8))
        if buffer.count >= blockSize { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
