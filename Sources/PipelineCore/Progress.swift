/// What a long data command (import, export, restore, copy, check) is doing, said on one line:
/// `Importing: 45,000 rows · 9,800 rows/s · 45% · 6 s left`.
///
/// Pure: the caller says how far along the work is and how long it has run; the line is
/// never wider than `width - 1` columns (the last column would make a terminal wrap, and the
/// next redraw would then start a line too low). What does not fit goes, least useful
/// first: the time left, the share done, the rate.
public struct ProgressLine: Sendable, Equatable {
    public enum Work: Sendable {
        case importing, exporting, restoring, copying, checking
    }

    /// What an import, a restore or a copy does once every row is in (issue 15): seconds at
    /// 100,000 rows, a minute at 1,000,000, which the line used to spend silent at 100 %.
    public enum Phase: Sendable, Equatable {
        /// The indexes set aside for the load, and the filter index, built once.
        case indexing
        /// What the rows must hold together (a restore's references), checked once.
        case checking
        /// The commit: past this point the work can no longer be cancelled, which the line says.
        case saving
    }

    public var work: Work
    /// Rows (records, history lines, …) done so far.
    public var rows: Int
    /// Seconds since the work began.
    public var elapsed: Double
    /// The share done, from 0 to 1, when the total is known (for a file: bytes read / size).
    public var fraction: Double?
    /// The phase after the rows, once the work is in one: said instead of the rate, the share
    /// and the time left, which no longer move.
    public var phase: Phase?

    public init(work: Work, rows: Int, elapsed: Double, fraction: Double? = nil, phase: Phase? = nil) {
        self.work = work
        self.rows = rows
        self.elapsed = elapsed
        self.fraction = fraction
        self.phase = phase
    }

    /// Rows a second, once there is enough time behind it to mean something.
    public var rate: Int? {
        guard elapsed >= 0.2 else { return nil }
        return Int((Double(rows) / elapsed).rounded())
    }

    /// Seconds left at the pace so far, when the share done is known and has begun.
    public var secondsLeft: Int? {
        guard let fraction, fraction > 0.001, fraction <= 1, elapsed >= 0.5 else { return nil }
        return Int((elapsed * (1 - fraction) / fraction).rounded(.up))
    }

    public func text(in language: Language, width: Int) -> String {
        let t = Localizer(language)
        let verb: String
        switch work {
        case .importing: verb = t("progress.importing")
        case .exporting: verb = t("progress.exporting")
        case .restoring: verb = t("progress.restoring")
        case .copying: verb = t("progress.copying")
        case .checking: verb = t("progress.checking")
        }
        var parts = [t.plural("progress.rows", rows)]
        if work == .checking {
            // A check counts its checks (`rows` of them done), not rows, and their costs differ a
            // thousandfold (the pages of the whole file against a count): it names the step it
            // is on and how long it has run, no rate or time left.
            parts = [t("progress.checkStep", Self.grouped(rows + 1, language)), Self.duration(Int(elapsed), language)]
        }
        if let phase {
            // `Importing: 100,000 rows · building indexes… · 4 s`: the time goes on, so the
            // line is seen to be alive.
            let said: String
            switch phase {
            case .indexing: said = t("progress.phase.indexing")
            case .checking: said = t("progress.phase.checking")
            case .saving: said = t("progress.phase.saving")
            }
            parts = [t.plural("progress.rows", rows), said, Self.duration(Int(elapsed), language)]
        }
        if work != .checking, phase == nil, let rate { parts.append(t("progress.rate", Self.grouped(rate, language))) }
        if work != .checking, phase == nil, let fraction { parts.append(t("progress.percent", Int((min(max(fraction, 0), 1) * 100).rounded(.down)))) }
        if work != .checking, phase == nil, let secondsLeft { parts.append(t("progress.left", Self.duration(secondsLeft, language))) }
        let room = max(width - 1, 1)
        while true {
            let line = verb + ": " + parts.joined(separator: " · ")
            // Our own words and digits: one column per character.
            if line.count <= room { return line }
            // In a phase the phase is what says the work goes on and whether Ctrl-C still
            // helps: the count gives way first (a 40-column terminal showed only the count).
            if phase != nil, parts.count == 3 { parts.removeFirst(); continue }
            if parts.count > 1 { parts.removeLast() } else { return String(line.prefix(room)) }
        }
    }

    /// 45,000 in English, 45.000 in Vietnamese.
    public static func grouped(_ number: Int, _ language: Language) -> String {
        Localizer(language).grouped(number)
    }

    /// How long finished work took: `1.4 s` (`1,4 giây`) under a minute, else as `duration`.
    public static func took(_ seconds: Double, _ language: Language) -> String {
        guard seconds < 59.95 else { return duration(Int(seconds.rounded()), language) }
        let tenths = Int((max(seconds, 0) * 10).rounded())
        let decimal = language == .vietnamese ? "," : "."
        return Localizer(language)("progress.seconds", "\(tenths / 10)\(decimal)\(tenths % 10)")
    }

    /// `6 s`, `2 min 5 s`, `1 h 20 min`.
    public static func duration(_ seconds: Int, _ language: Language) -> String {
        let t = Localizer(language)
        if seconds < 60 { return t("progress.seconds", seconds) }
        if seconds < 3600 { return t("progress.minutes", seconds / 60, seconds % 60) }
        return t("progress.hours", seconds / 3600, seconds % 3600 / 60)
    }
}

/// Draws a `ProgressLine` at most every `interval` seconds of a monotonic clock the caller
/// gives (a test gives its own), so that a loop may report every row: the line costs a
/// clock read per row and a write ten times a second.
public final class ProgressMeter {
    public let work: ProgressLine.Work
    private let language: Language
    /// The terminal's columns; the display sets it again when the terminal is resized.
    public var width: Int
    private let clock: () -> Double
    private let interval: Double
    private let draw: (String) -> Void
    private let started: Double
    private var lastDrawn: Double?
    private var lastPhase: ProgressLine.Phase?
    public private(set) var drawn = 0

    public init(work: ProgressLine.Work, language: Language, width: Int, interval: Double = 0.1,
                clock: @escaping () -> Double, draw: @escaping (String) -> Void) {
        self.work = work
        self.language = language
        self.width = width
        self.interval = interval
        self.clock = clock
        self.draw = draw
        started = clock()
    }

    /// Seconds since the meter was made.
    public var elapsed: Double { clock() - started }

    /// Rows done so far; draws the line when the last one is `interval` old (or none was drawn
    /// and `interval` has passed since the start: a quick command shows nothing). A new
    /// `phase` is drawn at once once a line is showing: the user sees the work change step.
    public func update(rows: Int, fraction: Double? = nil, phase: ProgressLine.Phase? = nil) {
        let now = clock()
        let newPhase = phase != lastPhase && lastDrawn != nil
        guard newPhase || now - (lastDrawn ?? started) >= interval else { return }
        lastDrawn = now
        lastPhase = phase
        drawn += 1
        draw(ProgressLine(work: work, rows: rows, elapsed: now - started, fraction: fraction, phase: phase).text(in: language, width: width))
    }
}
