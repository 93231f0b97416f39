import Foundation
import Testing
@testable import PipelineCore
import PipelineExchange
import PipelineStorage

/// The exact bytes of a backup and of a CSV export of hostile text: control characters, a
/// terminal's escape sequences, bidirectional marks, line and paragraph separators, quotes,
/// backslashes, commas, Vietnamese, and cells a spreadsheet would run as formulas. The
/// writers were rewritten for speed (issue 15); every byte they write stays what it was
/// (the expected texts are what the writers before that work wrote for the same store).
@Suite("Export bytes")
struct ExportBytesTests {
    /// A store with a bit of everything; the hostile text is put in behind the program's
    /// back (the CLI refuses it when typed), as a damaged or hand-edited file would hold it.
    static func hostileStore() throws -> StoreFixture {
        let fixture = try StoreFixture(.sqlite)
        let store = fixture.store
        let sales = try fixture.sales
        let first = try store.addOpportunity(
            try OpportunityForm(title: "Bảng giá \"Q4\", đợt 2", customer: "Công ty Ánh Dương", contact: "+84 (28) 3823-4567",
                                email: "an@example.vn", phone: "-12.50", expectedRevenue: "1,234.05", currency: "USD",
                                probability: "12.5", salesperson: "lan", expectedClosing: "2026-12-31", priority: "2",
                                tags: ["vip", "miền nam"], notes: "dòng 1\ndòng 2 \\ \"trích\"")
                .validated(language: .english, currency: .usd),
            team: sales.id, stage: try fixture.stage("Qualified").id, context: fixture.context())
        let second = try store.addOpportunity(
            try OpportunityForm(title: "Hợp đồng", customer: "Globex", expectedRevenue: "1,500,000", currency: "VND", probability: "33.05")
                .validated(language: .english, currency: .usd),
            team: sales.id, stage: nil, context: fixture.context())
        _ = try store.markLost(second.id, reason: "Giá cao", context: fixture.context())
        _ = try store.addLead(try OpportunityForm(title: "Khách mới", customer: "@SUM(A1)", email: "b@globex.com")
            .validated(language: .english, currency: .usd), team: sales.id, context: fixture.context())
        let changes = try ActivityForm(type: "Call", summary: "Gọi lại", due: "2026-12-03", time: "09:30")
            .validated(language: .english, types: try store.activityTypes())
        let activity = try store.addActivity(to: first.id, changes, context: fixture.context())
        _ = try store.completeActivity(activity.id, feedback: "OK, \"tuần sau\"", next: nil, expectedVersion: nil, context: fixture.context())
        _ = try store.addNote(to: first.id, text: "Ghi chú\tcó tab", context: fixture.context())
        // char(): ESC, BEL, CSI (U+009B), DEL, CR, tab, U+202E (right-to-left override), U+2066
        // (isolate), U+2028 (line separator), U+00A0 (no-break space: kept as it is).
        let hostile = "'x' || char(27) || '[2J' || char(7) || char(155) || '31m' || char(127) || char(13) || char(9)"
            + " || char(8238) || 'cba' || char(8294) || char(8232) || char(160) || 'ạ\\'"
        try fixture.executeAsOwner("""
            UPDATE opportunity SET title = title || \(hostile), customer_name = '=HYPERLINK(\"http://x\",\"y\")',
                contact_name = '+cmd|'' /C calc''!A0', phone = '''=1+1', salesperson = char(9) || 'tab',
                notes = notes || char(27) || ']0;owned' || char(7) WHERE id = \(first.id.rawValue);
            UPDATE opportunity SET lost_reason = 'Giá' || char(8238) || 'cao', email = '-2+3', probability = 705,
                currency = 'USD', expected_revenue = 105 WHERE id = \(second.id.rawValue);
            UPDATE opportunity SET currency = 'CLF', expected_revenue = 12345 WHERE type = 'lead';
            UPDATE activity SET summary = summary || char(27) || '[31m', feedback = feedback || char(8233);
            UPDATE deal_note SET text = text || char(0) || 'sau NUL', author = 'ngh' || char(8238) || 'ĩa';
            UPDATE stage_history SET changed_by = 'lan' || char(27) WHERE id = 1;
            """)
        return fixture
    }

    static func exported(_ fixture: StoreFixture, csv: ExchangeKind? = nil, json: ExchangeKind? = nil) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out").path
        let file = try OutputFile(path, protecting: nil)
        if let csv { try CSVExporter.export(csv, generation: .v16, from: fixture.store, to: file.writer) }
        if let json { try JSONBackup.export(json, from: fixture.store, to: file.writer) }
        try file.commit()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func theBackupOfHostileTextIsByteForByteAsBefore() throws {
        let fixture = try Self.hostileStore()
        let backup = try Self.exported(fixture, json: .all)
        #expect(backup == Self.backup, "\(backup)")
    }

    @Test func theRecordListsOfHostileTextAreByteForByteAsBefore() throws {
        let fixture = try Self.hostileStore()
        let opportunities = try Self.exported(fixture, json: .opportunities)
        #expect(opportunities == Self.opportunitiesJSON, "\(opportunities)")
        let leads = try Self.exported(fixture, json: .leads)
        #expect(leads == Self.leadsJSON, "\(leads)")
    }

    @Test func theCSVOfHostileTextAndFormulaLookingCellsIsByteForByteAsBefore() throws {
        let fixture = try Self.hostileStore()
        let opportunities = try Self.exported(fixture, csv: .opportunities)
        #expect(opportunities == Self.opportunitiesCSV, "\(opportunities)")
        let leads = try Self.exported(fixture, csv: .leads)
        #expect(leads == Self.leadsCSV, "\(leads)")
        let stages = try Self.exported(fixture, csv: .stages)
        #expect(stages == Self.stagesCSV, "\(stages)")
    }

    static let backup = #"""
{
"format": "pipeline-backup",
"version": 2,
"settings": {"currency":"USD"},
"preferences": [],
"teams": [
{"id":1,"name":"Sales","created_at":"2026-11-18T11:06:40.000Z","version":1}
],
"stages": [
{"id":1,"name":"New","sort_order":1,"probability":"5","auto_probability":true,"requirements":"Received from lead management or a mass-calling campaign; the customer's interest is not confirmed yet.","folded":false,"outcome":"open","team_id":null,"version":1,"external_id":null,"rotting_days":null},
{"id":2,"name":"Qualified","sort_order":2,"probability":"15","auto_probability":true,"requirements":"Business needs, system flows, budget and expected timing are understood.","folded":false,"outcome":"open","team_id":null,"version":1,"external_id":null,"rotting_days":null},
{"id":3,"name":"Proposition","sort_order":3,"probability":"50","auto_probability":true,"requirements":"The prospect has received a quotation.","folded":false,"outcome":"open","team_id":null,"version":1,"external_id":null,"rotting_days":null},
{"id":4,"name":"Negotiation","sort_order":4,"probability":"75","auto_probability":true,"requirements":"The price is being negotiated.","folded":false,"outcome":"open","team_id":null,"version":1,"external_id":null,"rotting_days":null},
{"id":5,"name":"Won","sort_order":5,"probability":"100","auto_probability":true,"requirements":"The prospect accepted the quotation and placed the order; they are now a customer.","folded":false,"outcome":"won","team_id":null,"version":1,"external_id":null,"rotting_days":null},
{"id":6,"name":"Lost","sort_order":6,"probability":"0","auto_probability":true,"requirements":"The prospect is no longer interested in your products or services.","folded":false,"outcome":"lost","team_id":null,"version":1,"external_id":null,"rotting_days":null}
],
"activity_types": [
{"id":1,"name":"Call","next_type_id":1,"next_delay_days":3,"sort_order":1,"version":1},
{"id":2,"name":"Meeting","next_type_id":3,"next_delay_days":1,"sort_order":2,"version":1},
{"id":3,"name":"E-mail","next_type_id":1,"next_delay_days":3,"sort_order":3,"version":1},
{"id":4,"name":"To-do","next_type_id":4,"next_delay_days":7,"sort_order":4,"version":1}
],
"records": [
{"id":1,"type":"opportunity","title":"Bảng giá \"Q4\", đợt 2x\u001b[2J\u0007\u009b31m\u007f\r\t\u202ecba\u2066\u2028 ạ\\","customer":"=HYPERLINK(\"http://x\",\"y\")","contact":"+cmd|' /C calc'!A0","email":"an@example.vn","phone":"'=1+1","expected_revenue":"1234.05","currency":"USD","probability":"12.5","probability_set_by_hand":true,"salesperson":"\ttab","team_id":1,"stage_id":2,"rank":0,"priority":2,"tags":["vip","miền nam"],"expected_closing":"2026-12-31","notes":"dòng 1\ndòng 2 \\ \"trích\"\u001b]0;owned\u0007","created_at":"2026-11-18T11:07:40.000Z","updated_at":"2026-11-18T11:07:40.000Z","stage_changed_at":"2026-11-18T11:07:40.000Z","converted_at":null,"active":true,"lost_reason":null,"version":1,"external_id":null},
{"id":2,"type":"opportunity","title":"Hợp đồng","customer":"Globex","contact":"","email":"-2+3","phone":"","expected_revenue":"1.05","currency":"USD","probability":"7.05","probability_set_by_hand":false,"salesperson":"lan","team_id":1,"stage_id":6,"rank":0,"priority":0,"tags":[],"expected_closing":null,"notes":"","created_at":"2026-11-18T11:08:40.000Z","updated_at":"2026-11-18T11:09:40.000Z","stage_changed_at":"2026-11-18T11:09:40.000Z","converted_at":null,"active":true,"lost_reason":"Giá\u202ecao","version":2,"external_id":null},
{"id":3,"type":"lead","title":"Khách mới","customer":"@SUM(A1)","contact":"","email":"b@globex.com","phone":"","expected_revenue":"1.2345","currency":"CLF","probability":null,"probability_set_by_hand":false,"salesperson":"lan","team_id":1,"stage_id":null,"rank":0,"priority":0,"tags":[],"expected_closing":null,"notes":"","created_at":"2026-11-18T11:10:40.000Z","updated_at":"2026-11-18T11:10:40.000Z","stage_changed_at":"2026-11-18T11:10:40.000Z","converted_at":null,"active":true,"lost_reason":null,"version":1,"external_id":null}
],
"stage_history": [
{"id":1,"opportunity_id":1,"from_stage_id":null,"to_stage_id":2,"from_stage_name":null,"to_stage_name":"Qualified","at":"2026-11-18T11:07:40.000Z","by":"lan\u001b","event":"created","probability":"12.5","amount":"1234.05","currency":"USD","reason":null,"stage_outcome":"open"},
{"id":2,"opportunity_id":2,"from_stage_id":null,"to_stage_id":1,"from_stage_name":null,"to_stage_name":"New","at":"2026-11-18T11:08:40.000Z","by":"lan","event":"created","probability":"33.05","amount":"1500000","currency":"VND","reason":null,"stage_outcome":"open"},
{"id":3,"opportunity_id":2,"from_stage_id":1,"to_stage_id":6,"from_stage_name":"New","to_stage_name":"Lost","at":"2026-11-18T11:09:40.000Z","by":"lan","event":"lost","probability":"0","amount":"1500000","currency":"VND","reason":"Giá cao","stage_outcome":"lost"}
],
"activities": [
{"id":1,"record_id":1,"type_id":1,"summary":"Gọi lại\u001b[31m","due":"2026-12-03","time":"09:30","assigned_to":"lan","notes":"","done_at":"2026-11-18T11:12:40.000Z","done_by":"lan","feedback":"OK, \"tuần sau\"\u2029","created_at":"2026-11-18T11:11:40.000Z","created_by":"lan","updated_at":"2026-11-18T11:12:40.000Z","version":2}
],
"notes": [
{"id":1,"record_id":1,"text":"Ghi chú có tab","author":"ngh\u202eĩa","at":"2026-11-18T11:13:40.000Z"}
]
}
"""# + "\n"
    static let opportunitiesJSON = #"""
[
{"id":1,"type":"opportunity","title":"Bảng giá \"Q4\", đợt 2x\u001b[2J\u0007\u009b31m\u007f\r\t\u202ecba\u2066\u2028 ạ\\","customer":"=HYPERLINK(\"http://x\",\"y\")","contact":"+cmd|' /C calc'!A0","email":"an@example.vn","phone":"'=1+1","expected_revenue":"1234.05","currency":"USD","probability":"12.5","probability_set_by_hand":true,"salesperson":"\ttab","team_id":1,"stage_id":2,"rank":0,"priority":2,"tags":["vip","miền nam"],"expected_closing":"2026-12-31","notes":"dòng 1\ndòng 2 \\ \"trích\"\u001b]0;owned\u0007","created_at":"2026-11-18T11:07:40.000Z","updated_at":"2026-11-18T11:07:40.000Z","stage_changed_at":"2026-11-18T11:07:40.000Z","converted_at":null,"active":true,"lost_reason":null,"version":1,"external_id":null},
{"id":2,"type":"opportunity","title":"Hợp đồng","customer":"Globex","contact":"","email":"-2+3","phone":"","expected_revenue":"1.05","currency":"USD","probability":"7.05","probability_set_by_hand":false,"salesperson":"lan","team_id":1,"stage_id":6,"rank":0,"priority":0,"tags":[],"expected_closing":null,"notes":"","created_at":"2026-11-18T11:08:40.000Z","updated_at":"2026-11-18T11:09:40.000Z","stage_changed_at":"2026-11-18T11:09:40.000Z","converted_at":null,"active":true,"lost_reason":"Giá\u202ecao","version":2,"external_id":null}
]
"""# + "\n"
    static let leadsJSON = #"""
[
{"id":3,"type":"lead","title":"Khách mới","customer":"@SUM(A1)","contact":"","email":"b@globex.com","phone":"","expected_revenue":"1.2345","currency":"CLF","probability":null,"probability_set_by_hand":false,"salesperson":"lan","team_id":1,"stage_id":null,"rank":0,"priority":0,"tags":[],"expected_closing":null,"notes":"","created_at":"2026-11-18T11:10:40.000Z","updated_at":"2026-11-18T11:10:40.000Z","stage_changed_at":"2026-11-18T11:10:40.000Z","converted_at":null,"active":true,"lost_reason":null,"version":1,"external_id":null}
]
"""# + "\n"
    static let opportunitiesCSV = #"""
id,name,type,stage_id,probability,expected_revenue,company_currency,partner_name,contact_name,email_from,phone,user_id,team_id,priority,tag_ids,date_deadline,active,lost_reason_id,description
pipeline.crm_lead_1,"Bảng giá ""Q4"", đợt 2x�[2J��31m����cba�\#u{2028} ạ\",opportunity,Qualified,12.5,1234.05,USD,"'=HYPERLINK(""http://x"",""y"")",'+cmd|' /C calc'!A0,an@example.vn,''=1+1,�tab,Sales,2,"vip,miền nam",2026-12-31,True,,"dòng 1
dòng 2 \ ""trích""�]0;owned�"
pipeline.crm_lead_2,Hợp đồng,opportunity,Lost,7.05,1.05,USD,Globex,,'-2+3,,lan,Sales,0,,,True,Giá�cao,
"""# + "\n"
    static let leadsCSV = #"""
id,name,type,stage_id,probability,expected_revenue,company_currency,partner_name,contact_name,email_from,phone,user_id,team_id,priority,tag_ids,date_deadline,active,lost_reason_id,description
pipeline.crm_lead_3,Khách mới,lead,,,1.2345,CLF,'@SUM(A1),,b@globex.com,,lan,Sales,0,,,True,,
"""# + "\n"
    static let stagesCSV = #"""
id,name,sequence,is_won,fold,requirements,team_id
pipeline.crm_stage_1,New,1,False,False,Received from lead management or a mass-calling campaign; the customer's interest is not confirmed yet.,
pipeline.crm_stage_2,Qualified,2,False,False,"Business needs, system flows, budget and expected timing are understood.",
pipeline.crm_stage_3,Proposition,3,False,False,The prospect has received a quotation.,
pipeline.crm_stage_4,Negotiation,4,False,False,The price is being negotiated.,
pipeline.crm_stage_5,Won,5,True,False,The prospect accepted the quotation and placed the order; they are now a customer.,
pipeline.crm_stage_6,Lost,6,False,False,The prospect is no longer interested in your products or services.,
"""# + "\n"
}
