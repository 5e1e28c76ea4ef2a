import Foundation

/// A file read in chunks of 1 MB into a byte buffer, with a leading UTF-8 BOM skipped: what the CSV
/// and JSON Lines readers share. Memory stays flat whatever the file's size: the buffer is reused
/// from chunk to chunk.
final class ChunkedFile {
    private let handle: FileHandle
    /// The bytes read and not yet consumed are `buffer[pos..<end]`. (The buffer keeps its size from
    /// chunk to chunk: it is only ever written by `read`, never refilled or trimmed element by
    /// element.)
    private(set) var buffer: [UInt8] = []
    var pos = 0
    private(set) var end = 0
    private(set) var eof = false
    /// Why reading stopped before the end of the file, if it did.
    private(set) var readError: String?
    private var first = true
    /// Called with every chunk read, on the reading thread (for the file's SHA-256).
    private let onChunk: ((UnsafeRawBufferPointer) -> Void)?
    static let chunk = 1 << 20

    init(path: String, onChunk: ((UnsafeRawBufferPointer) -> Void)?) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        handle = h
        self.onChunk = onChunk
    }

    deinit { try? handle.close() }

    /// Reads the next chunk after the unconsumed bytes, which move to the front; false at the end of
    /// the file (or when it cannot be read further: `readError` says why).
    func fill() -> Bool {
        if eof { return false }
        let kept = end - pos
        if kept > 0 && pos > 0 {
            buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + pos, kept) }
        }
        pos = 0
        end = kept
        if buffer.count < kept + Self.chunk {  // the first chunk, or a record longer than a chunk
            let size = kept + Self.chunk
            let old = buffer
            buffer = Array(unsafeUninitializedCapacity: size) { b, count in
                old.withUnsafeBufferPointer { o in
                    if kept > 0 { _ = memcpy(b.baseAddress!, o.baseAddress!, kept) }
                }
                _ = memset(b.baseAddress! + kept, 0, size - kept)
                count = size
            }
        }
        let fd = handle.fileDescriptor
        let n = buffer.withUnsafeMutableBytes { b -> Int in
            var n: Int
            repeat { n = read(fd, b.baseAddress! + kept, Self.chunk) } while n < 0 && errno == EINTR
            if n > 0 { onChunk?(UnsafeRawBufferPointer(rebasing: b[kept..<kept + n])) }
            return n
        }
        if n <= 0 {
            if n < 0 { readError = String(cString: strerror(errno)) }
            eof = true
            return false
        }
        end = kept + n
        if first {
            first = false
            if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { pos = 3 }
        }
        return true
    }
}

/// Text made from bytes read from a file, refused when the bytes are not valid UTF-8.
enum UTF8Text {
    /// The bytes as a string, or nil when they are not valid UTF-8. `String(decoding:)` is the
    /// stdlib's fast path (it repairs instead of failing), so a repair is detected by comparing
    /// the result with the input: valid input comes back byte for byte.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.isEmpty { return "" }
        let s = String(decoding: bytes, as: UTF8.self)
        let same = s.utf8.withContiguousStorageIfAvailable { u in
            u.count == bytes.count && memcmp(u.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
        return same == true ? s : nil
    }
}
