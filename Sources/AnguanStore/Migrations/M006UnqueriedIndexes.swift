import SQLKit

/// Drops the element indexes no query reads. M001 indexed every reference column; the pages, the
/// patrol and the worklists look records up by case, by incident, by unit and (venue visits) by
/// person, never by officer, nor measures, transcripts or appraisals by person. An index nobody
/// reads is only work for every import: these five were a tenth of a PostgreSQL import's time.
struct M006UnqueriedIndexes: Migration {
    let version = 6
    let name = "drop indexes no query reads"

    static let dropped = ["ix_incidents_officer_id", "ix_cases_lead_officer_id", "ix_measures_person_id",
                          "ix_transcripts_person_id", "ix_appraisals_person_id"]

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        for name in Self.dropped { try await db.raw("DROP INDEX IF EXISTS \(unsafeRaw: name)").run() }
    }
}
