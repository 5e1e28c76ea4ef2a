import AnguanCore
import SQLKit

/// One user per role for the demo branch, with random passwords that are printed once at start-up.
public struct DemoUsers: Sendable {
    public let accounts: Accounts
    public init(accounts: Accounts) { self.accounts = accounts }

    /// The demo branch is generated into a folder whose name carries this marker.
    public static let folderMarker = "anguan-demo-"

    public struct Created: Sendable {
        public let login: String
        public let name: String
        public let role: Role
        public let unitName: String?
        public let password: String
    }

    static func password() -> String {
        let letters = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in letters[Int(g.next() % UInt64(letters.count))] })
    }

    /// Creates the demo users when there are none yet: the supervisor and legal officer at the 案管中心 /
    /// 法制大队, the head of the busiest station and its officer leading the most cases, a prosecutor and an admin.
    public func createIfNone() async throws -> [Created] {
        guard try await accounts.count() == 0 else { return [] }
        let store = accounts.store
        // Only a database that holds the demo branch gets demo accounts: real data never does.
        let isDemo = try await store.read { db in
            try await db.raw("SELECT 1 AS x FROM import_runs WHERE outcome = 'committed' AND folder LIKE \(bind: "%" + DemoUsers.folderMarker + "%") LIMIT 1")
                .first() != nil
        }
        guard isDemo else { return [] }
        let picks = try await store.read { db -> (center: String?, legal: String?, station: String?, stationName: String?, officer: String?, officerName: String?) in
            let center = try await db.raw("SELECT unit_id FROM el_units WHERE kind = 'center' ORDER BY unit_id LIMIT 1").first()?
                .decode(column: "unit_id", as: String.self)
            let legal = try await db.raw("SELECT unit_id FROM el_units WHERE kind = 'legal' ORDER BY unit_id LIMIT 1").first()?
                .decode(column: "unit_id", as: String.self)
            let station = try await db.raw("""
                SELECT u.unit_id, u.name, (SELECT COUNT(*) FROM el_cases c WHERE c.unit_id = u.unit_id) AS n
                FROM el_units u WHERE u.kind = 'station' ORDER BY n DESC, u.unit_id LIMIT 1
                """).first()
            let sid = try station?.decode(column: "unit_id", as: String.self)
            var officer: (any SQLRow)?
            if let sid {
                officer = try await db.raw("""
                    SELECT o.officer_id, o.name, (SELECT COUNT(*) FROM el_cases c WHERE c.lead_officer_id = o.officer_id) AS n
                    FROM el_officers o WHERE o.unit_id = \(bind: sid) ORDER BY n DESC, o.officer_id LIMIT 1
                    """).first()
            }
            return (center, legal, sid, try station?.decode(column: "name", as: String.self),
                    try officer?.decode(column: "officer_id", as: String.self), try officer?.decode(column: "name", as: String.self))
        }
        let plan: [(String, String, Role, String?, String?)] = [
            ("anguan", "案管民警", .supervisor, picks.center, nil),
            ("fazhi", "法制员", .legalOfficer, picks.legal, nil),
            ("suozhang", "\(picks.stationName ?? "派出所")所长", .unitHead, picks.station, nil),
            ("minjing", picks.officerName ?? "民警", .officer, picks.station, picks.officer),
            ("jianchaguan", "检察官", .prosecutor, nil, nil),
            ("admin", "系统管理员", .admin, nil, nil),
        ]
        var out: [Created] = []
        for (login, name, role, unit, officer) in plan {
            if [.unitHead, .officer].contains(role), unit == nil { continue }
            let pw = Self.password()
            try await accounts.add(login: login, name: name, role: role, unitId: unit, officerId: officer, password: pw, by: "demo")
            out.append(Created(login: login, name: name, role: role, unitName: role == .unitHead || role == .officer ? picks.stationName : nil,
                               password: pw))
        }
        return out
    }
}
