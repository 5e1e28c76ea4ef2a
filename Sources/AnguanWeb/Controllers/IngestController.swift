import AnguanCore
import AnguanStore
import Foundation
import Hummingbird

/// Record ingestion over HTTP: one element's interchange JSON Lines in the body, validated exactly as
/// `anguan import` does (all-or-nothing, errors located by line and field), and the import runs.
struct IngestController {
    let services: WebServices

    func addRoutes(to router: Router<AppContext>) {
        router.post("/api/v1/ingest/:element") { request, context -> JSONResponse in
            let actor = try context.require(.ingest)
            guard let kind = context.parameters.get("element").flatMap(ElementKind.init(rawValue:)) else {
                throw AppError.notFound("要素类型不存在（可用：\(ElementKind.allCases.map(\.rawValue).joined(separator: "、"))）")
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let folder = NSTemporaryDirectory() + "anguan-ingest-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try Data(buffer: body).write(to: URL(fileURLWithPath: folder + "/\(kind.fileStem).jsonl"))
            do {
                let report = try await Importer(store: services.store, options: .init(actor: actor.login)).run(folder: folder)
                services.changed()
                return JSONResponse(["runId": report.runId, "outcome": report.outcome.rawValue, "inserted": report.inserted,
                                     "updated": report.updated, "unchanged": report.unchanged] as [String: Any], status: .created)
            } catch let e as ImportRejected {
                throw AppError.unprocessable(code: "import_rejected", message: "导入被拒绝，未写入任何记录（共 \(e.report.problemCount) 处问题）",
                                             details: e.report.problems.map(\.description))
            }
        }
        router.get("/api/v1/import-runs") { _, context -> JSONResponse in
            _ = try context.require(.seeProblems)
            let runs = try await Queries(store: services.store).importRuns(limit: 50)
            return JSONResponse(runs.map { r -> [String: Any] in
                var o: [String: Any] = ["id": r.id, "folder": r.folder, "startedAt": Instant(seconds: r.startedAt).cstString, "outcome": r.outcome,
                                        "mode": r.mode, "inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged, "rejected": r.rejected]
                o["finishedAt"] = r.finishedAt.map { Instant(seconds: $0).cstString }
                return o
            })
        }
    }
}
