import AnguanCore
import Testing

@Suite("Rectification, escalation, scope and the audit chain")
struct LoopCoreTests {
    let calendar = try! HolidayCalendar.shipped()

    @Test func rectificationCountsWorkingDays() throws {
        // Friday 2026-11-20: Mon 23, Tue 24, Wed 25 → due 2026-11-25 24:00.
        #expect(try Rectification.deadline(pushedAt: Instant.parse("2026-11-20 10:00")!, calendar: calendar).get() == Instant.parse("2026-11-26 00:00")!)
        // Wednesday 2026-09-30, before National Day (10-01…10-07 off): the first working day is Thursday 10-08.
        #expect(try Rectification.deadline(pushedAt: Instant.parse("2026-09-30 16:00")!, workdays: 1, calendar: calendar).get()
            == Instant.parse("2026-10-09 00:00")!)
        // Three working days: 10-08, 10-09 and Saturday 10-10, a 调休 working day.
        #expect(try Rectification.deadline(pushedAt: Instant.parse("2026-09-30 16:00")!, workdays: 3, calendar: calendar).get()
            == Instant.parse("2026-10-11 00:00")!)
        // A year the calendar does not cover is refused, never guessed.
        if case .success = Rectification.deadline(pushedAt: Instant.parse("2035-06-01 10:00")!, calendar: calendar) {
            Issue.record("an uncovered year must not give a deadline")
        }
    }

    @Test func escalationGoesToTheUnitHeadThenTheLeader() {
        let due = Instant.parse("2026-11-26 00:00")!
        #expect(Rectification.escalation(due: due, now: Instant.parse("2026-11-25 23:59")!, calendar: calendar) == 0)
        #expect(Rectification.escalation(due: due, now: due, calendar: calendar) == 1)
        // Three more working days after the 25th: 26, 27, 30 → leader from 2026-12-01 00:00.
        #expect(Rectification.escalation(due: due, now: Instant.parse("2026-11-30 23:59")!, calendar: calendar) == 1)
        #expect(Rectification.escalation(due: due, now: Instant.parse("2026-12-01 00:00")!, calendar: calendar) == 2)
        #expect(Rectification.escalation(due: nil, now: due, calendar: calendar) == 0)
    }

    @Test func scopeFollowsRoleAndUnitKind() {
        #expect(Scope.of(role: .supervisor, unitId: "U31", unitKind: "center") == .branch)
        #expect(Scope.of(role: .legalOfficer, unitId: "U30", unitKind: "legal") == .branch)
        #expect(Scope.of(role: .legalOfficer, unitId: "U04", unitKind: "station") == .unit("U04"))
        #expect(Scope.of(role: .unitHead, unitId: "U04", unitKind: "station") == .unit("U04"))
        #expect(Scope.of(role: .officer, unitId: nil, unitKind: nil) == .unit(""))
        let officer = Actor(userId: 1, login: "m", name: "m", role: .officer, unitId: "U04", officerId: "0321", scope: .unit("U04"))
        #expect(officer.mayAct(onProblemOf: "U04", officerId: "0321"))
        #expect(!officer.mayAct(onProblemOf: "U04", officerId: "0999"))
        #expect(!officer.mayAct(onProblemOf: "U05", officerId: "0321"))
        let prosecutor = Actor(userId: 2, login: "p", name: "p", role: .prosecutor, unitId: nil, officerId: nil, scope: .branch)
        #expect(!prosecutor.mayAct(onProblemOf: "U04", officerId: nil))
        #expect(!Permission.seeProblems.isGranted(to: .prosecutor))
        #expect(Permission.administer.isGranted(to: .admin) && !Permission.administer.isGranted(to: .supervisor))
    }

    func chain(_ n: Int) -> [AuditEntry] {
        var out: [AuditEntry] = []
        var prev = AuditChain.genesis
        for i in 1...n {
            let at = Instant(seconds: 1_700_000_000 + Int64(i))
            let h = AuditChain.hash(previous: prev, seq: Int64(i), at: at, actor: "a\(i)", action: "x", object: "o", detail: "d|\(i)")
            out.append(AuditEntry(seq: Int64(i), at: at, actor: "a\(i)", action: "x", object: "o", detail: "d|\(i)", previousHash: prev, hash: h))
            prev = h
        }
        return out
    }

    func verify(_ es: [AuditEntry], head: Int64) -> AuditChain.Break? {
        var v = AuditChain.Verifier()
        for e in es { if let b = v.check(e) { return b } }
        return v.finish(headSeq: head)
    }

    @Test func theChainNamesTheFirstBrokenEntry() {
        let es = chain(6)
        #expect(verify(es, head: 6) == nil)
        var edited = es
        let e = es[2]
        edited[2] = AuditEntry(seq: e.seq, at: e.at, actor: "mallory", action: e.action, object: e.object, detail: e.detail,
                               previousHash: e.previousHash, hash: e.hash)
        #expect(verify(edited, head: 6) == .edited(seq: 3))
        var deleted = es
        deleted.remove(at: 3)
        #expect(verify(deleted, head: 6) == .unlinked(seq: 5, expectedSeq: 4))
        #expect(verify(Array(es.prefix(4)), head: 6) == .truncated(lastSeq: 4, headSeq: 6))
        // Fields cannot be shifted from one into the next without changing the hash.
        #expect(AuditChain.canonical(seq: 1, at: Instant(seconds: 0), actor: "a|b", action: "c", object: "", detail: "")
            != AuditChain.canonical(seq: 1, at: Instant(seconds: 0), actor: "a", action: "b|c", object: "", detail: ""))
    }
}
