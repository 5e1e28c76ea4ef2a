import Foundation

/// Writes the rejected rows of a `--skip-invalid` import: each row unchanged, under the union of
/// the source columns, after `_file,_line,_column,_reason`.
enum RejectsWriter {
    static func write(_ rows: [RejectedRow], to path: String) throws {
        var columns: [String] = []
        var seen = Set<String>()
        for r in rows {
            for h in r.header where !seen.contains(h) {
                seen.insert(h)
                columns.append(h)
            }
            for k in r.cells.keys.sorted() where !seen.contains(k) {
                seen.insert(k)
                columns.append(k)
            }
        }
        var out = CSVWriter()
        out.row(["_file", "_line", "_column", "_reason"] + columns)
        for r in rows {
            out.row([r.file, String(r.line), r.column ?? "", r.reason] + columns.map { r.cells[$0] ?? "" })
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(out.bytes)) else {
            throw StoreError.io("cannot write rejects file \(path)")
        }
    }
}
