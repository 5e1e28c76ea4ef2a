import Foundation

/// A small, valid interchange folder written from text, which a test then breaks in one place.
public struct FixtureFolder {
    public let path: String
    public var files: [String: String]

    public static let valid: [String: String] = [
        "units.csv": """
            unit_id,name,kind,parent_id
            U00,钟楼分局,bureau,
            U01,南大街派出所,派出所,U00

            """,
        "officers.csv": """
            officer_id,name,unit_id,roles,lead_qualified_until
            032101,王伟,U01,lead;legal_officer,2027-06-30
            032102,李娜,U01,主办民警,
            F32103,张强,U01,auxiliary,

            """,
        "incidents.csv": """
            incident_id,received_at,source,category,unit_id,officer_id,address,summary,disposition,case_id,disposed_at
            JQ1,2026-03-01 09:30,110,criminal,U01,032101,"常州市钟楼区南大街1号","报警人称手机被盗,价值四千元",case_opened,AJ1,2026-03-01 10:30
            JQ2,2026-03-02T08:00:00+08:00,walk_in,纠纷,U01,,,"邻里纠纷
            已调解",mediated,,2026-03-02 09:00

            """,
        "cases.csv": """
            case_id,case_type,cause,incident_id,unit_id,lead_officer_id,accepted_at,filing_decision,filed_at,status,plea,fast_track,max_sentence_years
            AJ1,criminal,盗窃,JQ1,U01,032101,2026-03-01 12:00,filed,2026-03-02 10:00,handling,是,否,3

            """,
        "persons.csv": """
            person_id,case_id,role,name,id_number,gender,birth_date,captured_at
            RY1,AJ1,suspect,赵六,11010519491231002X,男,1949-12-31,2026-03-01 15:00
            RY2,AJ1,victim,钱七,,F,,

            """,
        "measures.csv": """
            measure_id,case_id,person_id,kind,started_at,ended_at,extension,complex,custody_at,family_notified_at,outcome
            CS1,AJ1,RY1,detention,2026-03-01 15:00,,7d,0,2026-03-01 20:00,2026-03-01 18:00,
            CS2,AJ1,RY1,arrest_request,2026-03-05 10:00,2026-03-08 10:00,,,,,批准

            """,
        "transcripts.csv": """
            transcript_id,case_id,person_id,kind,started_at,ended_at,officer_ids,location,av_recorded,guardian_present,text
            BL1,AJ1,RY1,interrogation,2026-03-01 16:00,2026-03-01 17:00,032101;032102,办案中心讯问室1,1,,
            BL2,AJ1,RY2,询问,2026-03-01 13:00,2026-03-01 13:40,032101;032102,,true,,"问：你的基本情况？
            答：我叫钱七。"

            """,
        "transcripts/BL1.txt": "问：你为什么被带到这里？\n答：我拿了别人的手机。\n",
    ]

    public init(_ files: [String: String] = FixtureFolder.valid) throws {
        path = NSTemporaryDirectory() + "anguan-fixture-\(UUID().uuidString.prefix(8))"
        self.files = files
        try write()
    }

    public func write() throws {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path + "/transcripts", withIntermediateDirectories: true)
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }
    }

    /// Writes raw bytes into a file (for encodings and broken files).
    public func writeBytes(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    public func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }
}
