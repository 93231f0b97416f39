import Testing
@testable import PipelineCore

@Suite("Probability")
struct ProbabilityTests {
    @Test(arguments: [
        ("0", 0), ("100", 10_000), ("50", 5_000), ("12.5", 1_250), ("12,5", 1_250), ("7.25", 725),
        (" 33 ", 3_300), ("45%", 4_500), ("99.99", 9_999), ("0.01", 1), ("05", 500),
    ])
    func parsesWhatUsersType(_ text: String, _ basisPoints: Int) throws {
        #expect(try Probability(parsing: text).basisPoints == basisPoints)
    }

    @Test(arguments: ["abc", "150", "-1", "100.01", "1.234", "", " ", "1e2", "50.", ".5", "5 0", "1,2.3", "+5", "１０"])
    func refusesEverythingElse(_ text: String) {
        #expect(throws: PipelineError.invalidProbability(text)) { try Probability(parsing: text) }
    }

    @Test func printsTheShortestExactDecimal() {
        #expect(Probability(basisPoints: 5_000)!.description == "50%")
        #expect(Probability(basisPoints: 1_250)!.description == "12.5%")
        #expect(Probability(basisPoints: 725)!.decimalString == "7.25")
        #expect(Probability(basisPoints: 5)!.decimalString == "0.05")
    }
}

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        ("1,500,000.50", Language.english, CurrencyCode.usd, Int64(150_000_050)),
        ("1500000.5", .english, .usd, 150_000_050),
        ("1.500.000,50", .vietnamese, .usd, 150_000_050),
        ("1.500.000", .vietnamese, .vnd, 1_500_000),
        ("1,500,000", .english, .vnd, 1_500_000),
        ("0", .english, .usd, 0),
        ("999", .english, .vnd, 999),
        ("12,345", .english, .vnd, 12_345),
    ])
    func parsesTypedAmounts(_ text: String, _ language: Language, _ currency: CurrencyCode, _ minor: Int64) throws {
        #expect(try Money(typed: text, currency: currency, language: language).minorUnits == minor)
    }

    @Test(arguments: [
        ("1,5", Language.english), ("1.5.0", .english), ("12,34,567", .english), ("abc", .english), ("", .english),
        ("-5", .english), ("1,500.", .english), (",500", .english), ("1 500", .english), ("1.5", .vietnamese),
        ("1,500,000.50", .vietnamese), ("$5", .english), ("1e6", .english),
    ])
    func refusesMalformedAmountsWithTheRule(_ text: String, _ language: Language) {
        #expect(throws: PipelineError.invalidAmount(text, rule: AmountRule(language: language))) {
            try Money(typed: text, currency: .usd, language: language)
        }
    }

    @Test func refusesDecimalsTheCurrencyDoesNotHave() {
        // "1.500" in English for VND is far more likely a mistyped Vietnamese 1 500.
        #expect(throws: PipelineError.tooManyDecimals("1.500", currency: .vnd)) {
            try Money(typed: "1.500", currency: .vnd, language: .english)
        }
        #expect(throws: PipelineError.tooManyDecimals("1.505", currency: .usd)) {
            try Money(typed: "1.505", currency: .usd, language: .english)
        }
        #expect(PipelineError.tooManyDecimals("1.500", currency: .vnd).message.contains("VND amounts have no decimals"))
    }

    @Test func refusesAmountsBeyondEighteenDigits() throws {
        #expect(throws: PipelineError.amountTooLarge("10000000000000000000", currency: .vnd)) {
            try Money(typed: "10000000000000000000", currency: .vnd, language: .english)
        }
        let largest = try Money(typed: "999999999999999999", currency: .vnd, language: .english)
        #expect(largest.minorUnits == Money.maximumMinorUnits)
        // The message says the limit the amount was held to: 17 digits of dollars are too
        // many because the cents take two of the 18.
        let dollars = "99999999999999999"
        #expect(throws: PipelineError.amountTooLarge(dollars, currency: .usd)) { try Money(typed: dollars, currency: .usd, language: .english) }
        #expect(PipelineError.amountTooLarge(dollars, currency: .usd).message
                == "expected revenue: '99999999999999999' is too large: USD amounts have at most 16 digits before the decimal point")
        #expect(try Money(typed: "9999999999999999.99", currency: .usd, language: .english).minorUnits == Money.maximumMinorUnits)
        #expect(PipelineError.amountTooLarge("1", currency: .vnd).message(in: .vietnamese).contains("tối đa 18 chữ số phần nguyên"))
    }

    @Test func plainFormIsLocaleIndependent() throws {
        #expect(Money(minorUnits: 200_050, currency: .usd)!.plainString == "2000.50")
        #expect(Money(minorUnits: 1_500_000, currency: .vnd)!.plainString == "1500000")
        #expect(try Money(plain: "2000.5", currency: .usd).minorUnits == 200_050)
        #expect(throws: PipelineError.invalidAmount("2,000.50", rule: .plain)) { try Money(plain: "2,000.50", currency: .usd) }
    }

    @Test func displayFollowsTheLanguage() {
        #expect(MoneyFormat.display(1_500_000, currency: .vnd, language: .vietnamese) == "1.500.000 ₫")
        #expect(MoneyFormat.display(150_000_000, currency: .usd, language: .english) == "$1,500,000.00")
        #expect(MoneyFormat.display(1_500_000, currency: .vnd, language: .english) == "1,500,000 VND")
        #expect(MoneyFormat.display(5, currency: .usd, language: .english) == "$0.05")
    }

    @Test(arguments: [
        // Each currency with its own minor units, written as each language writes numbers.
        (Int128(150_000_000), "USD", Language.vietnamese, "1.500.000,00 USD"),
        (Int128(123_456), "EUR", Language.english, "€1,234.56"),
        (Int128(123_456), "EUR", Language.vietnamese, "1.234,56 EUR"),
        (Int128(1_500_000), "JPY", Language.english, "1,500,000 JPY"),
        (Int128(1_234_567), "KWD", Language.english, "1,234.567 KWD"),
        (Int128(1_234_567), "KWD", Language.vietnamese, "1.234,567 KWD"),
        (Int128(99), "GBP", Language.english, "£0.99"),
        (Int128(-250_000), "VND", Language.vietnamese, "-250.000 ₫"),
    ])
    func displayFollowsTheCurrencyAndTheLanguage(_ minor: Int128, _ code: String, _ language: Language, _ expected: String) throws {
        #expect(MoneyFormat.display(minor, currency: try CurrencyCode(parsing: code), language: language) == expected)
    }

    @Test(arguments: [
        ("1.500.000", "VND", Language.vietnamese, Int64(1_500_000)),
        ("1.500.000,50", "USD", Language.vietnamese, Int64(150_000_050)),
        ("1,500,000.50", "USD", Language.english, Int64(150_000_050)),
        ("1234.567", "KWD", Language.english, Int64(1_234_567)),
    ])
    func whatAnEditorShowsReadsBackTheSame(_ typed: String, _ code: String, _ language: Language, _ minor: Int64) throws {
        let money = try Money(typed: typed, currency: try CurrencyCode(parsing: code), language: language)
        #expect(money.minorUnits == minor)
        #expect(try Money(typed: MoneyFormat.typed(money, language: language), currency: money.currency, language: language) == money)
    }

    @Test(arguments: [
        (Int64(100), 5_000, Int64(50)),   // exact
        (Int64(1), 5_000, Int64(1)),      // 0.5 rounds half-up
        (Int64(3), 3_333, Int64(1)),      // 0.9999 -> 1
        (Int64(10), 1_250, Int64(1)),     // 1.25 -> 1
        (Int64(15), 5_000, Int64(8)),     // 7.5 -> 8
        (Money.maximumMinorUnits, 10_000, Money.maximumMinorUnits),
        (Money.maximumMinorUnits, 9_999, Int64(999_899_999_999_999_999)), // no overflow at the top
    ])
    func weightedRevenueRoundsHalfUpPerOpportunity(_ minor: Int64, _ basisPoints: Int, _ expected: Int64) {
        let money = Money(minorUnits: minor, currency: .vnd)!
        #expect(money.weighted(by: Probability(basisPoints: basisPoints)!).minorUnits == expected)
    }

    @Test func totalsOfAMillionLargeDealsDoNotOverflow() {
        var totals = MoneyTotals()
        let deal = Money(minorUnits: Money.maximumMinorUnits, currency: .vnd)!
        for _ in 0..<1_000_000 { totals.add(deal) }
        #expect(totals[.vnd] == Int128(Money.maximumMinorUnits) * 1_000_000)
        #expect(MoneyFormat.plain(totals[.vnd], currency: .vnd) == "999999999999999999000000")
    }

    @Test func totalsNeverMixCurrencies() {
        var totals = MoneyTotals()
        totals.add(Money(minorUnits: 100, currency: .usd)!)
        totals.add(Money(minorUnits: 7, currency: .vnd)!)
        totals.add(Money(minorUnits: 50, currency: .usd)!)
        #expect(totals[.usd] == 150)
        #expect(totals[.vnd] == 7)
        #expect(totals.currencies(preferring: .vnd) == [.vnd, .usd])
    }

    @Test func figuresCountTheDealsASumLeavesOut() throws {
        var figures = Figures(currency: .vnd, count: 3, expected: 3_000_000, weighted: 150_000)
        figures.add(Figures(currency: .usd, count: 2, expected: 10_000, weighted: 500))
        figures.add(Figures(currency: try CurrencyCode(parsing: "EUR"), count: 1, expected: 100, weighted: 5))
        #expect(figures.count == 6)
        #expect(figures.dealsOutside(.vnd).map { "\($0.count) \($0.currency.code)" } == ["1 EUR", "2 USD"])
        #expect(figures.dealsOutside(.usd).map { "\($0.count) \($0.currency.code)" } == ["1 EUR", "3 VND"])
    }

    @Test func currencyCodes() throws {
        #expect(try CurrencyCode(parsing: "vnd") == .vnd)
        #expect(try CurrencyCode(parsing: "KWD").minorDigits == 3)
        #expect(try CurrencyCode(parsing: "JPY").minorDigits == 0)
        for bad in ["US", "USDX", "U$D", "", "đồng"] {
            #expect(throws: PipelineError.invalidCurrency(bad)) { try CurrencyCode(parsing: bad) }
        }
    }
}

@Suite("Text input")
struct TextInputTests {
    @Test(arguments: ["\u{1B}[31mred", "bell\u{07}", "del\u{7F}", "c1\u{9B}2J", "nul\u{0}", "cr\rhere"])
    func refusesControlCharacters(_ text: String) {
        #expect(throws: PipelineError.self) { try TextInput.singleLine(text, field: .title) }
        #expect(throws: PipelineError.self) { try TextInput.multiLine(text, field: .notes) }
    }

    @Test(arguments: ["\u{202E}evil", "a\u{2066}b", "x\u{202A}"])
    func refusesBidirectionalOverrides(_ text: String) {
        #expect(throws: PipelineError.self) { try TextInput.singleLine(text, field: .stageName) }
    }

    @Test func lineFeedsOnlyInMultiLineFields() throws {
        #expect(throws: PipelineError.lineBreakNotAllowed(.title)) { try TextInput.singleLine("a\nb", field: .title) }
        #expect(try TextInput.multiLine("line one\r\nline two\n", field: .requirements) == "line one\nline two")
        #expect(try TextInput.singleLine("\ttabbed\tname ", field: .title) == "tabbed name")
    }

    @Test func storesNFC() throws {
        let decomposed = "Mo\u{31B}\u{301}i"  // o + horn + acute
        let stored = try TextInput.requiredName(decomposed, field: .stageName)
        #expect(Array(stored.unicodeScalars) == Array("Mới".unicodeScalars))
    }

    @Test func blankNamesAreRefused() {
        #expect(throws: PipelineError.emptyText(.teamName)) { try TextInput.requiredName("   ", field: .teamName) }
    }

    @Test func nameKeysIgnoreCaseButNotAccents() {
        #expect(TextInput.nameKey("Mới") == TextInput.nameKey("MỚI"))
        #expect(TextInput.nameKey("Mới") != TextInput.nameKey("Môi"))
        #expect(TextInput.nameKey("Mo\u{31B}\u{301}i") == TextInput.nameKey("mới"))
    }

    @Test func searchKeysIgnoreCaseAndAccentsAndFoldD() {
        #expect(TextInput.searchKey("Chốt được cơ hội") == "chot duoc co hoi")
        #expect(TextInput.searchKey("ĐÀM  PHÁN") == "dam phan")
        #expect(TextInput.searchWords("Hợp đồng #12 — Đà Nẵng") == "hop dong 12 da nang")
    }

    /// Scalars outside the Latin table are folded by Foundation once and then remembered:
    /// the second time must give the same words as the first.
    @Test func otherScriptsFoldTheSameEveryTime() {
        for _ in 0..<2 {
            #expect(TextInput.searchKey("Ωμέγα\u{3000}ЁЛКА 北京 😀") == "ωμεγα елка 北京 😀")
            #expect(TextInput.searchWords("Ωμέγα—Ёлка 北京😀!") == "ωμεγα елка 北京")
        }
    }

    @Test func trimmingLeavesPlainTextAloneAndStillTrimsWideSpaces() {
        #expect("Acme".trimmingWhitespace() == "Acme")
        #expect(" Acme ".trimmingWhitespace() == "Acme")
        #expect("\u{3000}Đà Nẵng\u{3000}".trimmingWhitespace() == "Đà Nẵng")
        #expect("Mới\u{00A0}".trimmingWhitespace() == "Mới")
        #expect("".trimmingWhitespace() == "")
        #expect("A".hasNothingToTrim && !"A ".hasNothingToTrim && !"\tA".hasNothingToTrim && !"Ă".hasNothingToTrim)
    }

    @Test func plainASCIIIsStoredAsTypedAndControlsAreStillRefused() throws {
        #expect(try TextInput.singleLine("Acme renewal", field: .title) == "Acme renewal")
        #expect(try TextInput.singleLine("a\tb", field: .title) == "a b")
        #expect(throws: PipelineError.controlCharacter(.title, codePoint: 0x1B)) { try TextInput.singleLine("a\u{1B}[2J", field: .title) }
        #expect(throws: PipelineError.controlCharacter(.title, codePoint: 0x7F)) { try TextInput.singleLine("a\u{7F}", field: .title) }
    }
}

@Suite("Dates and times")
struct TimeTests {
    @Test func calendarDatesRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = CalendarDate(daysSince1970: Int64(days))
            #expect(date.daysSince1970 == days)
        }
        #expect(CalendarDate(iso8601: "2024-02-29")?.daysSince1970 == 19_782)
    }

    /// The ISO date reader works over bytes since issue 15; it takes exactly what the reader
    /// over characters took (kept here as the reference).
    @Test(arguments: ["2024-02-29", "2026-02-29", "2026-13-01", "2026-1-1", "26-01-01", "2026/01/01", "2026/01-01", "2026-01/01",
                      "", "2026-00-10", "0000-01-01", "0001-01-01", "9999-12-31", "2026-01-1a", "2026-01-01 ", " 2026-01-01",
                      "+2026-01-01", "２０２６-01-01", "2026-1\u{301}-01", "2026-01-01\u{301}", "2026--01-01", "20260-1-01", "2026-01-32"])
    func theISODateReaderTakesWhatTheCharacterReaderTook(_ text: String) {
        func reference(_ text: String) -> CalendarDate? {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
            return CalendarDate(year: year, month: month, day: day)
        }
        #expect(CalendarDate(iso8601: text) == reference(text))
        if let date = CalendarDate(iso8601: text) { #expect(date.iso8601 == text) }
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-1-1", "26-01-01", "2026/01/01", "31/12/2026", "", "2026-00-10"])
    func refusesBadDates(_ text: String) {
        #expect(throws: PipelineError.invalidDate(text)) { try CalendarDate(parsing: text) }
    }

    @Test func datesReadTheWayEachLanguageWritesThem() throws {
        let date = try #require(CalendarDate(year: 2026, month: 12, day: 31))
        #expect(date.display(in: .english) == "2026-12-31")
        #expect(date.display(in: .vietnamese) == "31/12/2026")
        #expect(CalendarDate(year: 2027, month: 1, day: 5)?.display(in: .vietnamese) == "05/01/2027")
        // Vietnamese takes its own form and ISO; English only ISO.
        #expect(try CalendarDate(parsing: "31/12/2026", language: .vietnamese) == date)
        #expect(try CalendarDate(parsing: "5/1/2027", language: .vietnamese) == CalendarDate(year: 2027, month: 1, day: 5))
        #expect(try CalendarDate(parsing: "2026-12-31", language: .vietnamese) == date)
        #expect(throws: PipelineError.invalidDate("31/12/2026")) { try CalendarDate(parsing: "31/12/2026", language: .english) }
        for bad in ["31/02/2026", "12/31/2026", "1/1/26", "31-12-2026", "31/12/2026/1"] {
            #expect(throws: PipelineError.invalidDate(bad, dayFirst: true)) { try CalendarDate(parsing: bad, language: .vietnamese) }
        }
        let instant = Timestamp(millisecondsSince1970: 1_795_796_759_123)
        #expect(instant.display(in: .vietnamese) == "27/11/2026 16:25 UTC")
        #expect(instant.display(in: .english) == "2026-11-27 16:25 UTC")
    }

    @Test func timestampsPrintAndParseISO8601() {
        let instant = Timestamp(millisecondsSince1970: 1_795_796_759_123)
        #expect(instant.iso8601 == "2026-11-27T16:25:59.123Z")
        #expect(Timestamp(iso8601: instant.iso8601) == instant)
        #expect(Timestamp(millisecondsSince1970: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(World.now.wholeDays(until: later(60 * 24 * 3 + 5)) == 3)
    }

    /// A stored instant at either end of Int64 (a damaged or hand-edited file) neither traps
    /// nor prints what cannot be read back: it is clamped to the calendar's range.
    @Test func instantsAtTheEndsOfInt64AreClampedToTheCalendar() {
        let earliest = Timestamp(millisecondsSince1970: .min), latest = Timestamp(millisecondsSince1970: .max)
        #expect(earliest.iso8601 == "0001-01-01T00:00:00.000Z")
        #expect(latest.iso8601 == "9999-12-31T23:59:59.999Z")
        #expect(earliest.display(in: .english) == "0001-01-01 00:00 UTC")
        #expect(latest.display(in: .vietnamese) == "31/12/9999 23:59 UTC")
        #expect(Timestamp(iso8601: earliest.iso8601) == earliest && Timestamp(iso8601: latest.iso8601) == latest)
        #expect(earliest.wholeDays(until: latest) == 3_652_058)
        #expect(Timestamp.floorDivide(.min, 86_400_000) == -106_751_991_168)
        #expect(Timestamp.floorDivide(-1, 1000) == -1 && Timestamp.floorDivide(-1000, 1000) == -1)
    }

    @Test func localeDecidesTheDefaultLanguage() {
        #expect(Language.fromLocale(environment: ["LANG": "vi_VN.UTF-8"]) == .vietnamese)
        #expect(Language.fromLocale(environment: ["LC_ALL": "en_US.UTF-8", "LANG": "vi_VN"]) == .english)
        #expect(Language.fromLocale(environment: ["LC_ALL": "", "LC_MESSAGES": "vi", "LANG": "C"]) == .vietnamese)
        #expect(Language.fromLocale(environment: [:]) == .english)
    }
}
