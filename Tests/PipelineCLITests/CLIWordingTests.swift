import Foundation
import Testing

/// Sentences that say what happened to what.
@Suite("CLI: wording")
struct CLIWordingTests {
    @Test(arguments: StoreEngine.allCases) func aCardPlacedAgainstItselfOrAnotherColumnIsToldSo(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        cli.ok(["opp", "add", "Acme"])
        cli.ok(["opp", "add", "Globex", "--stage", "Qualified"])
        let itself = cli.run(["opp", "move", "1", "--to", "New", "--before", "1"])
        #expect(itself.status == 65)
        #expect(itself.stderr == "error: opportunity: a card cannot be placed before or after itself; --before and --after name another card of the column\n")
        let elsewhere = cli.run(["opp", "move", "1", "--to", "New", "--after", "Globex"])
        #expect(elsewhere.status == 65)
        #expect(elsewhere.stderr == "error: opportunity: 2 is not in the column the card goes to; --before and --after name a card of that column\n")
    }

    /// The limit and its message agree: 17 digits of dollars are too many because the
    /// cents take two of the 18 digits an amount has.
    @Test(arguments: StoreEngine.allCases) func anAmountTooLargeSaysTheLimitItWasHeldTo(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let dollars = cli.run(["opp", "add", "Deal", "--revenue", "99999999999999999"])
        #expect(dollars.status == 65)
        #expect(dollars.stderr == "error: expected revenue: '99999999999999999' is too large: USD amounts have at most 16 digits before the decimal point\n")
        cli.ok(["opp", "add", "Largest", "--revenue", "9999999999999999.99"])
        cli.ok(["opp", "add", "Dong", "--revenue", "999999999999999999", "--currency", "VND"])
        let dong = cli.run(["opp", "add", "Deal", "--revenue", "1000000000000000000", "--currency", "VND"])
        #expect(dong.stderr.contains("VND amounts have at most 18 digits before the decimal point"))
    }

    /// It used to end in a dump of a Swift value, exit 1.
    @Test(arguments: StoreEngine.allCases) func aCSVImportOfEverythingIsAUsageErrorInOneSentence(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let file = cli.path("one.csv")
        try "name\nDeal\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = cli.run(["import", file, "--what", "all"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: a CSV file holds one kind of record; import a full backup with --format json\n"), "\(result.stderr)")
    }

    /// A record another program changed between a command's read and its write: the command
    /// has nothing to reload, so the sentence says how to look at the record and that running
    /// the command again is what to do — in both languages.
    @Test(arguments: [("", "error: opportunity 1 was changed by someone else while this command ran, so nothing was saved; see it as it is now with `pipeline opp show 1`, then run the command again\n"),
                      ("vi_VN.UTF-8", "lỗi: cơ hội 1 đã bị người khác thay đổi trong lúc lệnh đang chạy nên chưa có gì được lưu; hãy xem bản hiện tại bằng `pipeline opp show 1` rồi chạy lại lệnh\n")])
    func aRecordChangedWhileTheCommandRanSaysToLookAndRunItAgain(_ language: String, _ expected: String) throws {
        let cli = CLI(language: language.isEmpty ? nil : language)
        cli.ok(["opp", "add", "Acme"])
        // The other writer, as the command sees it: the row of the version it read is gone
        // by the time it writes (its UPDATE … WHERE version = … changes nothing).
        try SQLiteFile.execute("""
            CREATE TRIGGER another_writer BEFORE UPDATE ON opportunity WHEN NEW.title = 'Renamed'
            BEGIN SELECT RAISE(IGNORE); END
            """, on: cli.database)
        let result = cli.run(["opp", "edit", "Acme", "--title", "Renamed"])
        #expect(result.status == 65)
        #expect(result.stderr == expected)
        #expect(cli.object(["opp", "show", "1"])["title"] as? String == "Acme")
    }

    /// A refused date or e-mail address says the form that is expected, with an example,
    /// in the language of the command; a date typed in Vietnamese may come day first, an
    /// import's dates may not, and each sentence says what its reader takes.
    @Test func dateAndEmailRefusalsSayTheFormWithAnExample() throws {
        let cli = CLI()
        let date = cli.run(["opp", "add", "Deal", "--close-date", "31/12/2026"])
        #expect(date.status == 65)
        #expect(date.stderr == "error: expected closing date: '31/12/2026' is not a date; write it as YYYY-MM-DD (year, month, day), e.g. 2026-12-31\n")
        let email = cli.run(["opp", "add", "Deal", "--email", "lan at acme"])
        #expect(email.status == 65)
        #expect(email.stderr == "error: email: 'lan at acme' is not an e-mail address; write it as name@domain, e.g. lan@acme.com\n")
        let vietnameseDate = cli.run(["opp", "add", "Deal", "--lang", "vi", "--close-date", "2026-13-01"])
        #expect(vietnameseDate.stderr == "lỗi: ngày chốt dự kiến: '2026-13-01' không phải ngày; hãy viết theo dạng DD/MM/YYYY (ngày/tháng/năm) hoặc YYYY-MM-DD, ví dụ 31/12/2026\n")
        let vietnameseEmail = cli.run(["opp", "add", "Deal", "--lang", "vi", "--email", "lan@acme"])
        #expect(vietnameseEmail.stderr == "lỗi: email: 'lan@acme' không phải địa chỉ email; hãy viết theo dạng tên@tên-miền, ví dụ lan@acme.com.vn\n")
        let file = cli.path("deals.csv")
        try "name,date_deadline\nDeal,31/12/2026\n".write(toFile: file, atomically: true, encoding: .utf8)
        let imported = cli.run(["import", file, "--lang", "vi"])
        #expect(imported.status == 65)
        #expect(imported.stderr.contains("hãy viết theo dạng YYYY-MM-DD (năm-tháng-ngày), ví dụ 2026-12-31"), "\(imported.stderr)")
        #expect(!imported.stderr.contains("DD/MM/YYYY"))
        #expect(cli.objects(["opp", "list"]).isEmpty)
    }
}
