import Foundation
import Testing

/// The language the CLI speaks: `--lang`, else the `language` setting, else the locale.
@Suite("CLI: languages")
struct CLILanguageTests {
    @Test(arguments: StoreEngine.allCases) func helpAndErrorsFollowLang(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine)
        let help = cli.run(["opp", "add", "--help", "--lang", "vi"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Thêm một cơ hội."), "\(help.stdout)")
        #expect(help.stdout.contains("Doanh thu dự kiến như bạn vẫn viết"))
        let english = cli.run(["opp", "add", "--help"])
        #expect(english.stdout.contains("Add an opportunity."))
        let refused = cli.run(["opp", "add", "  ", "--lang", "vi"])
        #expect(refused.status == 65)
        #expect(refused.stderr == "lỗi: tiêu đề: không được để trống\n", "\(refused.stderr)")
    }

    @Test(arguments: StoreEngine.allCases) func theLanguageSettingOutranksTheLocaleAndLangOutranksTheSetting(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "en_US.UTF-8")
        cli.ok(["settings", "set", "language", "vi"])
        // The help is written before any database is opened for the command: the setting is
        // read from the file as it stands.
        #expect(cli.run(["team", "--help"]).stdout.contains("Liệt kê, thêm, đổi tên và xóa nhóm bán hàng."))
        #expect(cli.ok(["team", "add", "Xuất khẩu"]).stdout == "Đã thêm nhóm 2 'Xuất khẩu'.\n")
        #expect(cli.ok(["team", "add", "Export", "--lang", "en"]).stdout == "Added team 3 'Export'.\n")
        let unknown = cli.run(["stage", "edit", "Không có", "--probability", "10"])
        #expect(unknown.stderr.hasPrefix("lỗi: giai đoạn: không có giai đoạn 'Không có'"), "\(unknown.stderr)")
    }

    @Test(arguments: StoreEngine.allCases) func showWritesDatesDayFirstInVietnameseAndTakesBothForms(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "vi_VN.UTF-8")
        cli.ok(["opp", "add", "Hợp đồng", "--revenue", "1.500.000", "--close-date", "31/12/2026"])
        cli.ok(["opp", "add", "Hợp đồng ISO", "--close-date", "2027-01-15"])
        let shown = cli.ok(["opp", "show", "Hợp đồng"]).stdout
        #expect(shown.contains("Ngày chốt:      31/12/2026"), "\(shown)")
        #expect(shown.contains("Dự kiến:        1.500.000 ₫"))
        // Files and JSON stay locale-independent.
        #expect(cli.object(["opp", "show", "Hợp đồng"])["expected_closing"] as? String == "2026-12-31")
        #expect(cli.object(["opp", "show", "Hợp đồng ISO"])["expected_closing"] as? String == "2027-01-15")
        // English takes no slashed dates: 03/04 is March to some and April to others.
        let english = cli.run(["opp", "add", "Deal", "--close-date", "31/12/2026", "--lang", "en"])
        #expect(english.status == 65 && english.stderr.contains("write it as YYYY-MM-DD"))
    }

    @Test(arguments: StoreEngine.allCases) func theForecastListsASumPerCurrencyAndNeverMixesThem(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "vi_VN.UTF-8")
        cli.ok(["opp", "add", "Đồng", "--revenue", "2.000.000", "--stage", "Đề xuất"])
        cli.ok(["opp", "add", "Đô la", "--revenue", "1.000,50", "--currency", "USD", "--stage", "Đề xuất"])
        let forecast = cli.ok(["forecast"]).stdout
        #expect(forecast.contains("Dự báo của mọi nhóm, theo giai đoạn:"), "\(forecast)")
        #expect(forecast.contains("2.000.000 ₫") && forecast.contains("1.000,50 USD"))
        #expect(forecast.contains("1.000.000 ₫") && forecast.contains("500,25 USD"))
        let english = cli.ok(["forecast", "--lang", "en"]).stdout
        #expect(english.contains("2,000,000 VND") && english.contains("$1,000.50"))
    }

    @Test(arguments: StoreEngine.allCases) func importProblemsAreReportedInTheLanguage(_ engine: StoreEngine) throws {
        let cli = try CLI(engine: engine, language: "vi_VN.UTF-8")
        let file = cli.folder.appendingPathComponent("bad.csv")
        try "name,stage_id,probability\nTốt,Mới,10\nXấu,Mới,150\n".write(to: file, atomically: true, encoding: .utf8)
        let result = cli.run(["import", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("lỗi: dòng 3, cột 'probability': '150' không phải phần trăm"), "\(result.stderr)")
        #expect(result.stderr.contains("lỗi: không có gì được nhập (1 vấn đề)"))
    }
}
