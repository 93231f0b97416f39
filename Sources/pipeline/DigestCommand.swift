import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineStorage
import TerminalCore

/// `pipeline digest`: the weekly digest (issue 14) — what happened in a period, and the
/// weighted open pipeline at its start and end with the difference explained per currency.
struct DigestCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "digest", abstract: localized("cli.digest.abstract"), discussion: localized("cli.digest.discussion")) }

    enum Format: String, CaseIterable {
        case text, markdown, json
    }

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.digest.option.since"), valueName: "date")) var since: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.digest.option.from"), valueName: "date")) var from: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.digest.option.to"), valueName: "date")) var to: String?
    @Option(help: ArgumentHelp(localized("cli.forecast.onlyThisTeamSPipeline"), valueName: "team")) var team: String?
    @Flag(help: ArgumentHelp(localized("cli.digest.option.mine"))) var mine = false
    @Option(help: ArgumentHelp(localized("cli.digest.option.format"), valueName: "text|markdown|json")) var format: String?

    /// How many items of a list text and Markdown show; JSON gives every one.
    static let listLimit = 20
    /// How many of the changes that made a part text and Markdown show (the largest); JSON
    /// gives every one.
    static let partLimit = 5

    /// Options that do not go together, or an unknown format: one sentence on standard error,
    /// exit 64 (usage), nothing on standard output.
    struct UsageProblem: Error {
        let message: String
    }

    func run() throws {
        do {
            try digest()
        } catch let problem as UsageProblem {
            Console.error(localized("cli.error", problem.message))
            throw ExitCode(ExitStatus.usage)
        }
    }

    private func digest() throws {
        let chosen: Format
        do {
            chosen = try choice(format, of: "--format", as: Format.self) ?? .text
        } catch let error as ValidationError {
            throw UsageProblem(message: error.message)
        }
        if since != nil, from != nil || to != nil { throw UsageProblem(message: localized("cli.digest.sinceOrFrom")) }
        if to != nil, from == nil { throw UsageProblem(message: localized("cli.digest.toWithoutFrom")) }
        let session = try global.open(forWriting: false)
        let today = session.today
        // A bad or future day, a first day after the last and an unknown team are bad data
        // (exit 65, as every command says of them); only how the options combine is usage (64).
        let first = try DateOption.day(from ?? since ?? "7d", option: from != nil ? "--from" : "--since", end: .first, session: session)
        let last = try to.map { try DateOption.day($0, option: "--to", end: .last, session: session) } ?? today
        if first > last {
            throw DateOptionProblem(message: localized("cli.digest.fromAfterTo", first.display(in: session.language), last.display(in: session.language)))
        }
        let teamValue = try team.map { try session.team(option: $0) }
        let start = Self.firstInstant(of: first)
        let end = Timestamp(millisecondsSince1970: Self.firstInstant(of: last.adding(days: 1)).millisecondsSince1970 - 1)
        let salesperson = mine ? session.user : nil
        let digest = try session.database.digest(start: start, end: end, team: teamValue?.id, salesperson: salesperson,
                                                 day: RottingDay(today: today, utcOffsetSeconds: session.utcOffsetSeconds))
        let catalog = try session.database.catalog()
        let output = DigestOutput(session: session, digest: digest, catalog: catalog, first: first, last: last,
                                  team: teamValue, salesperson: salesperson, today: today)
        switch chosen {
        case .json: Console.out(output.json().rendered())
        case .text: output.text().forEach { Console.out($0) }
        case .markdown: output.markdown().forEach { Console.out($0) }
        }
    }

    /// The first instant of a local day, in the zone's offset on that day.
    static func firstInstant(of date: CalendarDate) -> Timestamp {
        let noon = Timestamp(millisecondsSince1970: Int64(date.daysSince1970) * 86_400_000 + 43_200_000)
        return Present.firstInstant(of: date, utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: noon.date))
    }
}

/// The digest in the three formats.
struct DigestOutput {
    let session: Session
    let digest: Digest
    let catalog: StageCatalog
    let first: CalendarDate
    let last: CalendarDate
    let team: Team?
    let salesperson: String?
    let today: CalendarDate

    var language: Language { session.language }

    var scope: String {
        var scope = team.map { localized("cli.forecast.scope.team", $0.name) } ?? localized("cli.forecast.scope.all")
        if let salesperson { scope = localized("cli.forecast.scope.mine", scope, salesperson) }
        return scope
    }

    func day(_ at: Timestamp) -> CalendarDate {
        at.localDate(utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: at.date))
    }

    /// `+$1,000.00`, `-$250.00`, `$0.00`: a part of the difference, signed.
    func signed(_ minor: Int128, _ currency: CurrencyCode) -> String {
        let amount = session.money(minor < 0 ? -minor : minor, currency)
        return minor > 0 ? "+" + amount : minor < 0 ? "-" + amount : amount
    }

    func amount(_ money: Money?) -> String { money.map { session.money($0) } ?? "–" }

    /// Each list: its heading's key, its items as sentences, its JSON.
    struct List {
        let key: String
        let count: Int
        let items: [String]
    }

    /// The lists, their user text (titles, stages, names, reasons) passed through `user`:
    /// escaped for Markdown, as it is for text.
    func lists(user: (String) -> String = { $0 }) -> [List] {
        let dated = { (event: DigestEvent) in self.day(event.at).display(in: self.language) }
        let limit = DigestCommand.listLimit
        return [
            List(key: "new", count: digest.created.count, items: digest.created.prefix(limit).map { event in
                localized("cli.digest.item.new", String(event.deal.rawValue), user(event.title), amount(event.amount),
                          user(event.toStage ?? "–"), user(event.by), dated(event))
            }),
            List(key: "moved", count: digest.moved.count, items: digest.moved.prefix(limit).map { event in
                localized("cli.digest.item.moved", String(event.deal.rawValue), user(event.title), user(event.fromStage ?? "–"),
                          user(event.toStage ?? "–"), user(event.by), dated(event))
            }),
            List(key: "won", count: digest.won.count, items: digest.won.prefix(limit).map { event in
                localized("cli.digest.item.won", String(event.deal.rawValue), user(event.title), amount(event.amount), user(event.by), dated(event))
            }),
            List(key: "lost", count: digest.lost.count, items: digest.lost.prefix(limit).map { event in
                localized("cli.digest.item.lost", String(event.deal.rawValue), user(event.title), amount(event.amount),
                          user(event.reason ?? "–"), user(event.by), dated(event))
            }),
            List(key: "rotting", count: digest.rotting.count, items: digest.rotting.prefix(limit).map { deal in
                localized("cli.digest.item.rotting", String(deal.id.rawValue), user(deal.title),
                          user(deal.stage.flatMap { catalog.stage($0)?.name } ?? "–"), day(deal.stageChangedAt).display(in: language),
                          deal.salesperson.isEmpty ? localized("cli.forecast.unassigned") : user(deal.salesperson))
            }),
            List(key: "overdue", count: digest.overdue.count, items: digest.overdue.prefix(limit).map { item in
                localized("cli.digest.item.overdue", item.activity.due.display(in: language), user(item.activity.summary), user(item.dealTitle),
                          item.activity.assignedTo.isEmpty ? localized("cli.digest.nobody") : user(item.activity.assignedTo))
            }),
        ]
    }

    /// "Digest of all teams, 2026-12-01 to 2026-12-03"; a period of one day names it once, and
    /// today as today (`--since 0d`, `--since today`).
    func heading(scope: String) -> String {
        if first == last {
            return localized(first == today ? "cli.digest.heading.today" : "cli.digest.heading.day", scope, first.display(in: language))
        }
        return localized("cli.digest.heading", scope, first.display(in: language), last.display(in: language))
    }

    var heading: String { heading(scope: scope) }

    /// The pipeline's rows: start, each part that moved it, end (a part that is zero in every
    /// currency is left out of text and Markdown; JSON has them all).
    func bridgeRows(_ bridges: [DigestBridge]) -> [(label: String, cause: DigestCause?, amounts: [String])] {
        var rows: [(String, DigestCause?, [String])] = [(localized("cli.digest.atStart"), nil, bridges.map { session.money($0.start, $0.currency) })]
        for cause in DigestCause.allCases where bridges.contains(where: { $0.part(cause) != 0 }) {
            rows.append((cause.name(in: language), cause, bridges.map { signed($0.part(cause), $0.currency) }))
        }
        rows.append((localized("cli.digest.atEnd"), nil, bridges.map { session.money($0.end, $0.currency) }))
        rows.append((localized("cli.digest.difference"), nil, bridges.map { signed($0.difference, $0.currency) }))
        return rows
    }

    /// What made one part in one currency, as text and Markdown show it: the largest changes
    /// (`DigestCommand.partLimit`), then how many more and what they add up to, so that the
    /// amounts shown always add up to the part. User text passes through `user`.
    func partItems(_ bridge: DigestBridge, _ cause: DigestCause, user: (String) -> String = { $0 }) -> [(amount: String, text: String)] {
        let items = bridge.items(cause)
        let limit = DigestCommand.partLimit
        // "and 1 more" would take the line its item needs: show it instead.
        let shown = items.count <= limit + 1 ? items : Array(items.prefix(limit))
        var result = shown.map { item in (signed(item.amount, bridge.currency), partText(item, user: user)) }
        if shown.count < items.count {
            let rest = items.dropFirst(shown.count).reduce(Int128(0)) { $0 + $1.amount }
            result.append((signed(rest, bridge.currency), localized("cli.digest.part.andMore", String(items.count - shown.count))))
        }
        return result
    }

    func partText(_ item: DigestPartItem, user: (String) -> String = { $0 }) -> String {
        let when = item.at.map { day($0).display(in: language) } ?? "–"
        let who = user(item.by ?? "–")
        switch item.subject {
        case .deal(let id, let title):
            guard item.at != nil else { return localized("cli.digest.part.unrecorded", String(id.rawValue), user(title)) }
            return localized("cli.digest.part.deal", String(id.rawValue), user(title), who, when)
        case .stage(_, let name, let probability, let deals):
            return localized("cli.digest.part.stage", user(name ?? "–"), probability.map { $0.display(in: language) } ?? "–",
                             Localizer(language).plural("count.deal", deals), who, when)
        case .stageOutcome(_, let name, let outcome, let deals):
            return localized("cli.digest.part.stageOutcome", user(name ?? "–"),
                             outcome.map { Catalogue.text("outcome.\($0.rawValue)", language) } ?? "–",
                             Localizer(language).plural("count.deal", deals), who, when)
        }
    }

    /// Text for the terminal and e-mail: plain lines within 80 columns (a long item wrapped,
    /// its next lines indented; only the heading's team name is cut to fit).
    func text() -> [String] {
        let width = 80
        var lines = [DisplayWidth.truncate(heading, to: width), ""]
        lines.append(localized("cli.digest.pipeline"))
        if digest.bridges.isEmpty {
            lines.append("  " + localized("cli.digest.noOpenDeals"))
        } else {
            // One small table per currency (sums never mix currencies), its amounts aligned right.
            for bridge in digest.bridges {
                if digest.bridges.count > 1 { lines.append("  " + bridge.currency.code + ":") }
                let rows = bridgeRows([bridge])
                let labelWidth = min(40, rows.map { DisplayWidth.of($0.label) }.max() ?? 0)
                let amountWidth = min(34, rows.map { DisplayWidth.of($0.amounts[0]) }.max() ?? 0)
                for row in rows {
                    lines.append("    " + DisplayWidth.fit(row.label, to: labelWidth) + "  " + DisplayWidth.fit(row.amounts[0], to: amountWidth, alignRight: true))
                    // Under each part, what made it: the largest changes, their amounts aligned.
                    guard let cause = row.cause else { continue }
                    let items = partItems(bridge, cause)
                    let itemWidth = items.map { DisplayWidth.of($0.amount) }.max() ?? 0
                    for item in items {
                        let indent = 6 + itemWidth + 2
                        let wrapped = TextWrap.lines(item.text, width: max(20, width - indent))
                        for (index, line) in wrapped.enumerated() {
                            lines.append(index == 0 ? "      " + DisplayWidth.fit(item.amount, to: itemWidth, alignRight: true) + "  " + line
                                                    : String(repeating: " ", count: indent) + line)
                        }
                    }
                }
            }
        }
        for list in lists() {
            lines.append("")
            lines.append(localized("cli.digest.list.\(list.key)", String(list.count)))
            if list.count == 0 { lines.append("  " + localized("cli.digest.none")) }
            // Wrapped, not cut: the end of an item is its date and who did it, which a cut
            // took away behind a long reason (found by a trial).
            for item in list.items {
                for (index, line) in TextWrap.lines(item, width: width - 4).enumerated() { lines.append((index == 0 ? "  " : "    ") + line) }
            }
            if list.count > list.items.count { lines.append("  " + localized("cli.digest.andMore", String(list.count - list.items.count))) }
        }
        return lines
    }

    /// Markdown for chat: headings, a table for the explanation, bullet lists.
    func markdown() -> [String] {
        var lines = ["# " + heading(scope: Self.escaped(scope)), "", "## " + localized("cli.digest.pipeline").dropLastColon, ""]
        if digest.bridges.isEmpty {
            lines.append(localized("cli.digest.noOpenDeals"))
        } else {
            lines.append("| | " + digest.bridges.map(\.currency.code).joined(separator: " | ") + " |")
            lines.append("|---|" + digest.bridges.map { _ in "---:|" }.joined())
            for row in bridgeRows(digest.bridges) {
                lines.append("| " + Self.escaped(row.label) + " | " + row.amounts.joined(separator: " | ") + " |")
            }
            // What made each part, per currency, as in text: the largest changes first.
            var sections: [String] = []
            for bridge in digest.bridges {
                for cause in DigestCause.allCases where bridge.part(cause) != 0 {
                    sections += ["", "### " + localized("cli.digest.part.heading", Self.escaped(cause.name(in: language)), bridge.currency.code,
                                                        signed(bridge.part(cause), bridge.currency)), ""]
                    sections += partItems(bridge, cause, user: Self.escaped).map { "- " + $0.amount + ": " + $0.text }
                }
            }
            if !sections.isEmpty { lines += ["", "## " + localized("cli.digest.parts")] + sections }
        }
        for list in lists(user: Self.escaped) {
            lines += ["", "## " + localized("cli.digest.list.\(list.key)", String(list.count)).dropLastColon, ""]
            if list.count == 0 { lines.append(localized("cli.digest.none")) }
            for item in list.items { lines.append("- " + item) }
            if list.count > list.items.count { lines.append("- " + localized("cli.digest.andMore", String(list.count - list.items.count))) }
        }
        return lines
    }

    /// User text in Markdown: its punctuation taken literally (a title "*urgent*" stays as typed).
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\`*_[]<>|#~".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// One change that made a part, in JSON: a deal's, or a stage's probability change.
    func partItem(_ item: DigestPartItem, currency: CurrencyCode) -> JSONValue {
        var members: [(String, JSONValue)]
        switch item.subject {
        case .deal(let id, let title):
            members = [("id", .int(id.rawValue)), ("title", .string(title))]
        case .stage(let stage, let name, let probability, let deals):
            members = [("stage_id", stage.map { .int($0.rawValue) } ?? .null), ("stage", .optional(name)),
                       ("probability", probability.map { .number($0.decimalString) } ?? .null), ("deals", .int(Int64(deals)))]
        case .stageOutcome(let stage, let name, let outcome, let deals):
            members = [("stage_id", stage.map { .int($0.rawValue) } ?? .null), ("stage", .optional(name)),
                       ("outcome", .optional(outcome?.rawValue)), ("deals", .int(Int64(deals)))]
        }
        return .object(members + [("amount", .string(MoneyFormat.plain(item.amount, currency: currency))),
                                  ("by", .optional(item.by)), ("at", .optional(item.at?.iso8601))])
    }

    /// JSON for scripts: every item, amounts as decimal strings in major units.
    func json() -> JSONValue {
        func money(_ value: Money?) -> [(String, JSONValue)] {
            [("amount", .optional(value?.plainString)), ("currency", .optional(value?.currency.code))]
        }
        func event(_ event: DigestEvent, _ extra: [(String, JSONValue)]) -> JSONValue {
            .object([("id", .int(event.deal.rawValue)), ("title", .string(event.title))] + extra
                    + [("by", .string(event.by)), ("at", .string(event.at.iso8601))])
        }
        let pipeline: [JSONValue] = digest.bridges.map { bridge in
            .object([
                ("currency", .string(bridge.currency.code)),
                ("start", .string(MoneyFormat.plain(bridge.start, currency: bridge.currency))),
                ("end", .string(MoneyFormat.plain(bridge.end, currency: bridge.currency))),
                ("difference", .string(MoneyFormat.plain(bridge.difference, currency: bridge.currency))),
                ("parts", .object(bridge.parts.map { ($0.cause.rawValue, .string(MoneyFormat.plain($0.amount, currency: bridge.currency))) })),
                ("items", .object(DigestCause.allCases.map { cause in
                    (cause.rawValue, .array(bridge.items(cause).map { partItem($0, currency: bridge.currency) }))
                })),
            ])
        }
        return .object([
            ("team", .optional(team?.name)),
            ("salesperson", .optional(salesperson)),
            ("from", .string(first.iso8601)),
            ("to", .string(last.iso8601)),
            ("start", .string(digest.start.iso8601)),
            ("end", .string(digest.end.iso8601)),
            ("pipeline", .array(pipeline)),
            ("new", .array(digest.created.map { event($0, [("stage", .optional($0.toStage))] + money($0.amount)
                                                            + [("probability", $0.probability.map { .number($0.decimalString) } ?? .null)]) })),
            ("moved", .array(digest.moved.map { event($0, [("from", .optional($0.fromStage)), ("to", .optional($0.toStage)),
                                                          ("probability", $0.probability.map { .number($0.decimalString) } ?? .null)]) })),
            ("won", .array(digest.won.map { event($0, money($0.amount)) })),
            ("lost", .array(digest.lost.map { event($0, money($0.amount) + [("reason", .optional($0.reason))]) })),
            ("rotting", .array(digest.rotting.map { deal in
                .object([("id", .int(deal.id.rawValue)), ("title", .string(deal.title)),
                         ("stage", .optional(deal.stage.flatMap { catalog.stage($0)?.name })),
                         ("salesperson", .string(deal.salesperson)), ("in_stage_since", .string(deal.stageChangedAt.iso8601))]
                        + money(deal.expectedRevenue))
            })),
            ("overdue", .array(digest.overdue.map { item in
                .object([("id", .int(item.activity.id.rawValue)), ("deal_id", .int(item.activity.record.rawValue)),
                         ("deal", .string(item.dealTitle)), ("summary", .string(item.activity.summary)),
                         ("due", .string(item.activity.due.iso8601)), ("assigned_to", .string(item.activity.assignedTo))])
            })),
        ])
    }
}

private extension String {
    /// A heading without the colon it ends with in text.
    var dropLastColon: String { hasSuffix(":") ? String(dropLast()) : self }
}
