import AnguanCore
import Crypto
import Foundation
import NIOCore
import SQLKit
import Synchronization

/// The work of one import inside its transaction: reading, validating and writing each file.
struct ImportJob: Sendable {
    let session: Session
    let runId: Int64
    let options: Importer.Options

    /// Elements that are referred to by a file loaded before them (the incident names its case)
    /// or by themselves (a unit names its parent): their ids are read first.
    static let forwardTargets: Set<ElementKind> = [.cases, .units]

    /// Elements that some element refers to: only their ids need remembering while importing.
    static let referencedKinds = Set(ElementKind.allCases.flatMap { $0.schema.references.map(\.target) })

    /// The ids of the files in `forwardTargets`, as `ImportState.key`s. It needs no database, so it
    /// runs while the transaction is opened and the tables are planned.
    static func prescan(folder: String, _ files: [(ElementKind, String, Bool)]) -> HashedIdMap {
        var ids = HashedIdMap(capacity: 1024, values: false)
        for (kind, file, jsonl) in files where forwardTargets.contains(kind) {
            let path = folder + "/" + file
            let idField = kind.schema.idField
            do {
                if jsonl {
                    let r = try JSONLinesReader(path: path)
                    while let rec = try r.next() {
                        if let id = rec.cells[idField], !id.isEmpty { ids.insert(ImportState.key(kind, id)) }
                    }
                } else {
                    let r = try CSVReader(path: path)
                    guard let header = try r.next() else { continue }
                    guard let pos = header.cells.firstIndex(where: { $0.trimmingSpaces == idField }) else { continue }
                    while let rec = try r.next() {
                        if pos < rec.cells.count, !rec.cells[pos].isEmpty { ids.insert(ImportState.key(kind, rec.cells[pos])) }
                    }
                }
            } catch {
                continue  // the file's own pass reports it, located
            }
        }
        return ids
    }

    /// A row's cells as read, turned into a field → cell map only when the row is rejected.
    enum RowCells {
        case csv([String])
        case json([String: String])
        case none

        func map(_ header: [String]) -> [String: String] {
            switch self {
            case .csv(let cells):
                var d: [String: String] = [:]
                for (i, h) in header.enumerated() where i < cells.count { d[h] = cells[i] }
                return d
            case .json(let d): return d
            case .none: return [:]
            }
        }
    }

    /// A row of the batch (by its index) whose references are not all found yet: they are looked up
    /// in the database when the batch is flushed.
    private struct Pending {
        var index: Int
        var cells: RowCells
        /// (column, target element, id) of each reference still to be found.
        var refs: [(String, ElementKind, String)]
    }

    /// Each file's table plan, in the files' order (see `BulkWriter.plan`).
    func plan(_ files: [(ElementKind, String, Bool)]) async throws -> [BulkWriter.TablePlan] {
        var plans: [BulkWriter.TablePlan] = []
        for (kind, _, _) in files { plans.append(try await BulkWriter.plan(session, kind.schema)) }
        return plans
    }

    func importFile(kind: ElementKind, file: String, jsonl: Bool, plan: BulkWriter.TablePlan,
                    _ st: inout ImportState) async throws {
        let schema = kind.schema
        let path = st.folder + "/" + file
        var summary = ImportFileSummary(file: file, kind: kind)
        let clock = ContinuousClock()
        let t0 = clock.now
        let sha = SHABox()
        let onChunk: @Sendable (UnsafeRawBufferPointer) -> Void = { sha.update($0) }
        /// Ends the file (read to its end, or given up at its header): its summary, and the progress.
        func done(_ st: inout ImportState, readToEnd: Bool = false) {
            if readToEnd { summary.sha256 = sha.finalize() }
            summary.seconds = Self.seconds(clock.now - t0)
            options.progress?(ImportProgress(file: file, rows: summary.rows,
                                             rowsPerSecond: Double(summary.rows) / max(summary.seconds, 1e-6), finished: true,
                                             summary: summary))
            st.summaries.append(summary)
        }

        // The header: which column holds which field.
        var header: [String] = []
        var positions: [Int?] = []  // schema field index -> column
        var csv: CSVReader?
        var json: JSONLinesReader?
        do {
            if jsonl {
                json = try JSONLinesReader(path: path, onChunk: onChunk)
                header = schema.fields.map(\.name)
            } else {
                let r = try CSVReader(path: path, readAhead: true, onChunk: onChunk)
                csv = r
                guard let h = try r.next() else {
                    st.problem(ImportProblem(file: file, line: 1, column: nil, reason: "the file is empty (no header row)"))
                    done(&st)
                    return
                }
                header = h.cells.map(\.trimmingSpaces)
            }
        } catch let p as SyntaxProblem {
            st.problem(ImportProblem(file: file, line: p.line, column: nil, reason: p.reason))
            done(&st)
            return
        } catch {
            st.problem(ImportProblem(file: file, line: nil, column: nil, reason: "cannot be read: \(error)"))
            done(&st)
            return
        }
        if !jsonl {
            var seen: [String: Int] = [:]
            for (i, h) in header.enumerated() {
                if let j = seen[h] {
                    st.problem(ImportProblem(file: file, line: 1, column: h,
                                             reason: "appears twice in the header (columns \(j + 1) and \(i + 1))"))
                }
                seen[h] = i
            }
            positions = schema.fields.map { seen[$0.name] }
            let unknown = header.filter { schema.position(of: $0) == nil }
            if !unknown.isEmpty {
                st.warnings.append("\(file): unknown column(s) ignored: \(unknown.joined(separator: ", "))")
            }
            var missing = false
            for (i, f) in schema.fields.enumerated() where f.required && positions[i] == nil {
                st.problem(ImportProblem(file: file, line: 1, column: f.name, reason: "required column is missing from the header"))
                missing = true
            }
            if missing {
                done(&st)
                return
            }
        }

        var seenIds = SeenIds()
        // Batches being written, oldest first: while one is stored the next is prepared (hashed,
        // encoded) and the one after is parsed.
        var inFlight: [(WriteBatch, Task<BulkWriter.Counts, any Error>)] = []
        // The text of the batch being parsed (cell bytes): it ends a batch early, and sizes its COPY data.
        var batchBytes = 0
        // COPY data buffers of stored batches, for the next batches.
        var spareBuffers: [ByteBuffer] = []
        let writer = try BulkWriter(session: session, schema: schema, runId: runId, plan: plan,
                                    reuseStatement: options.reuseSQLiteStatement)
        defer { writer.finish() }
        st.rebuildsOwned.insert(kind.ordinal)  // from here on, this file's writer rebuilds its indexes
        // What the previous file left running on the connection (its last writes, its index builds):
        // this file's first write waits for it, its parsing does not.
        let previousTail = st.tail
        /// Waits for the oldest writes until only `keeping` are in flight, and counts what they did.
        func settle(keeping: Int = 0) async throws {
            while inFlight.count > keeping {
                let (batch, task) = inFlight.removeFirst()
                let counts = try await task.value
                if let buffer = batch.empty() { spareBuffers.append(buffer) }
                if !writer.copiesDirectly {  // (counted when the batch was handed over)
                    summary.inserted += counts.inserted
                    summary.updated += counts.updated
                    summary.unchanged += counts.unchanged
                }
            }
        }
        // The rows parsed and validated, their ids' keys, and those still waiting for references.
        var batch: [CanonicalRecord] = []
        var batchKeys: [UInt64] = []
        var waiting: [Pending] = []
        let remembers = Self.referencedKinds.contains(kind)
        let batchSize = session.dialect == .postgres ? ImportLimits.postgresBatchSize : ImportLimits.batchSize
        let references = schema.references
        // The field whose empty cell is read from `transcripts/<transcript_id>.txt`.
        let textFromFile = kind == .transcripts ? schema.position(of: "text") : nil
        let fields = schema.fields
        // The ids each reference column was found to name lately.
        var recent = RecentKeys(columns: schema.fields.count)
        var unknownJSONFields = Set<String>()
        var lastProgress = t0

        func reject(_ cells: RowCells, line: Int, column: String?, reason: String, id: String?,
                    _ st: inout ImportState) {
            st.problem(ImportProblem(file: file, line: line, column: column, reason: reason))
            summary.rejected += 1
            if let id, !id.isEmpty { st.rejectedIds[kind, default: [:]][id] = line }
            if options.skipInvalid {
                st.rejects.append(RejectedRow(file: file, line: line, column: column, reason: reason,
                                              header: header, cells: cells.map(header)))
            }
        }

        func flush(_ st: inout ImportState) async throws {
            guard !batch.isEmpty else { return }
            // Look up, in one query per element, the referenced ids not found in the folder.
            var wanted: [ElementKind: Set<String>] = [:]
            for p in waiting { for (_, t, id) in p.refs { wanted[t, default: []].insert(id) } }
            var found: [ElementKind: Set<String>] = [:]
            if !wanted.isEmpty && writer.copiesDirectly {
                // The lookups need the connection: the COPY the batches stream into ends first.
                try await settle()
                try await writer.endCopy()
            }
            for (t, ids) in wanted {
                let idCol = t.schema.idField
                let list = Array(ids)
                var got = Set<String>()
                var i = 0
                while i < list.count {
                    let chunk = Array(list[i..<min(list.count, i + 5000)])
                    let rows = try await session.sql.select().column(SQLIdentifier(idCol)).from(t.table)
                        .where(SQLIdentifier(idCol), .in, chunk).all()
                    for r in rows {
                        let id = try r.decode(column: idCol, as: String.self)
                        got.insert(id)
                        st.remember(t, id)
                    }
                    i += 5000
                }
                found[t] = got
            }
            var rejected = Set<Int>()
            for p in waiting {
                for (col, t, id) in p.refs where !(found[t]?.contains(id) ?? false) {
                    let rec = batch[p.index]
                    reject(p.cells, line: rec.line, column: col,
                           reason: "refers to \(t.fileStem) \"\(id)\", which is neither in this folder nor in the database",
                           id: rec.id, &st)
                    rejected.insert(p.index)
                    break
                }
            }
            waiting.removeAll(keepingCapacity: true)
            if remembers {
                for (i, key) in batchKeys.enumerated() where !rejected.contains(i) { st.remember(kind, key: key) }
            }
            batchKeys.removeAll(keepingCapacity: true)
            var accepted: [CanonicalRecord] = []
            if rejected.isEmpty {
                swap(&accepted, &batch)
                batch.reserveCapacity(batchSize)
            } else {
                accepted = batch.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
                batch.removeAll(keepingCapacity: true)
            }
            // Valid rows are written even when the import will be rolled back: later files find the
            // records they refer to in the database, so memory stays flat whatever the folder's size.
            // One batch is stored while the next waits. (Letting more wait, so that a file could be
            // parsed while the connection builds the previous file's indexes, was no faster: the
            // memory it took cost more than the wait.)
            try await settle(keeping: 1)
            if writer.copiesDirectly { summary.inserted += accepted.count }
            let toWrite = WriteBatch(accepted, bytes: batchBytes, buffer: spareBuffers.popLast())
            batchBytes = 0
            accepted = []
            let previous = inFlight.last?.1
            let first = inFlight.isEmpty ? previousTail : nil
            inFlight.append((toWrite, Task {
                writer.prepare(toWrite)
                // Stored in order, one at a time on the connection.
                _ = try await previous?.value
                try await first?.value
                return try await writer.store(toWrite)
            }))
        }

        // The cells of the current row, reused from row to row; `at[i]` is the cell of schema field i
        // (nil when the file has no such column, or a JSON object no such field).
        var cells: [String] = []
        var at: [Int?] = positions
        var jsonCells: [String: String] = [:]
        func rowCells() -> RowCells { csv != nil ? .csv(cells) : .json(jsonCells) }
        do {
            while true {
                let line: Int
                do {
                    if let r = csv {
                        guard let l = try r.next(into: &cells) else { break }
                        line = l
                        if cells.count != header.count {
                            summary.rows += 1
                            reject(rowCells(), line: line, column: nil,
                                   reason: "has \(cells.count) fields, the header has \(header.count)", id: nil, &st)
                            continue
                        }
                    } else {
                        guard let rec = try json!.next() else { break }
                        line = rec.line
                        jsonCells = rec.cells
                        for k in rec.cells.keys where schema.position(of: k) == nil { unknownJSONFields.insert(k) }
                        cells.removeAll(keepingCapacity: true)
                        at = schema.fields.map { f in
                            guard let c = rec.cells[f.name] else { return nil }
                            cells.append(c)
                            return cells.count - 1
                        }
                    }
                } catch let p as SyntaxProblem {
                    summary.rows += 1
                    reject(.none, line: p.line, column: nil, reason: p.reason, id: nil, &st)
                    if csv != nil && !p.recoverable { break }  // after broken quoting the rest of a CSV cannot be trusted
                    continue
                }
                summary.rows += 1

                // Parse every field; one message per problem.
                var values: [StoredValue?] = Array(repeating: nil, count: fields.count)
                var fieldProblems: [FieldProblem] = []
                for i in fields.indices {  // by index: the fields are read in place, not copied
                    guard let p = at[i] else {
                        if fields[i].required {
                            fieldProblems.append(FieldProblem(field: fields[i].name, reason: "is required but missing"))
                        }
                        continue
                    }
                    batchBytes += cells[p].utf8.count
                    switch FieldCodec.parse(cells[p], as: fields[i]) {
                    case .success(let v): values[i] = v
                    case .failure(let p): fieldProblems.append(p)
                    }
                }
                let id = values[0]?.text ?? ""
                if let ti = textFromFile, fieldProblems.isEmpty, values[ti] == nil {
                    switch TranscriptText.load(folder: st.folder, transcriptId: id) {
                    case .success(let text): values[ti] = .text(text)
                    case .failure(let p): fieldProblems.append(p)
                    }
                }
                if !fieldProblems.isEmpty {
                    for (n, p) in fieldProblems.enumerated() {
                        if n == 0 {
                            reject(rowCells(), line: line, column: p.field, reason: p.reason, id: id, &st)
                        } else {
                            st.problem(ImportProblem(file: file, line: line, column: p.field, reason: p.reason))
                        }
                    }
                    continue
                }
                // Duplicate ids within the file.
                let key = ImportState.key(kind, id)
                if let first = seenIds.insert(id, key: key, line: Int32(clamping: line)) {
                    reject(rowCells(), line: line, column: schema.idField,
                           reason: "duplicate \(schema.idField) \"\(id)\": also on line \(first)", id: nil, &st)
                    continue
                }

                // References: to a rejected row, to the folder, or (checked per batch) to the database.
                var refs: [(String, ElementKind, String)] = []
                var refProblem: (String, String)?
                func check(_ ref: String, _ pos: Int, _ target: ElementKind, _ st: inout ImportState) -> Bool {
                    let refKey = ImportState.key(target, ref)
                    if recent.contains(refKey, column: pos) { return true }
                    if !st.rejectedIds.isEmpty, let rl = st.rejectedIds[target]?[ref] {
                        refProblem = (schema.fields[pos].name,
                                      "refers to \(target.fileStem) \"\(ref)\", which was rejected (line \(rl))")
                        return false
                    }
                    if target == kind && ref != id && seenIds.line(of: refKey) != nil { return true }
                    if st.isKnownOrPrescanned(refKey, kind: target) {
                        // (A row of this very file may still be rejected later: not cached then. The
                        // ids rejected in other files are fixed while this one is read.)
                        if target != kind { recent.insert(refKey, column: pos) }
                        return true
                    }
                    refs.append((schema.fields[pos].name, target, ref))
                    return true
                }
                for (pos, target, isList) in references {
                    guard let v = values[pos]?.text else { continue }
                    if isList {
                        var failed = false
                        FieldCodec.forEachListItem(v) { ref in
                            if !failed && !check(ref, pos, target, &st) { failed = true }
                        }
                    } else {
                        _ = check(v, pos, target, &st)
                    }
                    if refProblem != nil { break }
                }
                if let (col, why) = refProblem {
                    reject(rowCells(), line: line, column: col, reason: why, id: id, &st)
                    continue
                }
                let rec = CanonicalRecord(id: id, values: values, line: line)
                // The cells are kept only while a reference waits for the database: rejecting the row
                // then needs them for the rejects file.
                if !refs.isEmpty { waiting.append(Pending(index: batch.count, cells: rowCells(), refs: refs)) }
                batch.append(rec)
                if remembers { batchKeys.append(key) }
                if batch.count >= batchSize || batchBytes >= ImportLimits.batchTextBytes {
                    try await flush(&st)
                    let now = clock.now
                    if let progress = options.progress, now - lastProgress > .milliseconds(500) {
                        lastProgress = now
                        let secs = Self.seconds(now - t0)
                        progress(ImportProgress(file: file, rows: summary.rows,
                                                rowsPerSecond: Double(summary.rows) / max(secs, 1e-6), finished: false))
                    }
                }
            }
            try await flush(&st)
            if writer.copiesDirectly {
                // The counts are known: leave the last writes and the index builds running while the
                // next file is parsed. The next file's first write, or the end of the import, waits.
                let last = inFlight
                inFlight = []
                let wroteNothing = last.isEmpty
                st.tail = Task {
                    do {
                        if wroteNothing { try await previousTail?.value }
                        for (batch, task) in last {
                            _ = try await task.value
                            _ = batch.empty()
                        }
                        try await writer.complete()
                    } catch {
                        for (_, task) in last { _ = try? await task.value }
                        await writer.abandonCopy()
                        throw error
                    }
                }
            } else {
                try await settle()
                try await writer.complete()
                st.tail = nil
            }
        } catch {
            // Never leave a write running on the connection once the transaction is abandoned.
            for (_, task) in inFlight { _ = try? await task.value }
            await writer.abandonCopy()
            throw error
        }
        if !unknownJSONFields.isEmpty {
            st.warnings.append("\(file): unknown field(s) ignored: \(unknownJSONFields.sorted().joined(separator: ", "))")
        }
        done(&st, readToEnd: true)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// The running SHA-256 of a file while it is read: updated with each chunk on the thread that reads
/// it (the CSV reader's read-ahead queue), finalized by the importer once the file is read.
final class SHABox: Sendable {
    private let hasher = Mutex(SHA256())

    func update(_ chunk: UnsafeRawBufferPointer) {
        hasher.withLock { $0.update(bufferPointer: chunk) }
    }

    /// The hex digest of everything given so far.
    func finalize() -> String {
        hasher.withLock { AuditChain.hex($0.finalize()) }
    }
}

/// The text of a transcript whose `text` cell is empty: `transcripts/<transcript_id>.txt`.
enum TranscriptText {
    static func load(folder: String, transcriptId: String) -> Result<String, FieldProblem> {
        let rel = "transcripts/\(transcriptId).txt"
        if transcriptId.contains("/") || transcriptId.hasPrefix(".") {
            return .failure(FieldProblem(field: "text", reason: "is empty, and the id cannot name a file \(rel)"))
        }
        guard let data = FileManager.default.contents(atPath: folder + "/" + rel) else {
            return .failure(FieldProblem(field: "text", reason: "is empty and \(rel) does not exist"))
        }
        var bytes = [UInt8](data)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            return .failure(FieldProblem(field: "text", reason: "is empty and \(rel) is not valid UTF-8"))
        }
        guard !s.isEmpty else {
            return .failure(FieldProblem(field: "text", reason: "is empty and \(rel) is empty too"))
        }
        return .success(s)
    }
}
