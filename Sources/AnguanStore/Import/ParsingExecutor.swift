import Dispatch

/// Runs an import's parsing loop on a thread of its own instead of the cooperative pool.
///
/// The pool has one thread per core. The parsing loop keeps one of them busy for the whole import,
/// so the writes it hands over (hashing and encoding a batch, driving its COPY) had only the other,
/// and waited for it while a core sat idle. The loop's awaits resume here; the write tasks it starts
/// (unstructured) run on the pool.
final class ParsingExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "anguan.import.parse", qos: .userInitiated)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
