/// A key as the board understands it, whatever bytes the terminal sent.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl with a letter, as a lower-case letter: Ctrl-C is `.control("c")`.
    case control(Character)
    case up, down, left, right
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case home, end, pageUp, pageDown
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
}

/// What happened with the mouse, in cell coordinates.
public enum MouseEvent: Hashable, Sendable {
    case press(Point)
    case release(Point)
    /// The pointer moved (with a button held: a drag; without: hovering).
    case move(Point)
    case wheelUp(Point)
    case wheelDown(Point)
}

/// Everything the terminal can tell the board.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(Size)
    /// Text the terminal says was pasted (bracketed paste), as it came: never keys, so an
    /// ESC or a line break inside it cannot close a form or run a command.
    case paste(String)
}

/// A place to draw grids and read input: ncurses for real, a scripted fake in tests.
public protocol TerminalDevice: AnyObject {
    var size: Size { get }
    /// Shows `grid`, sending only what changed since the last call.
    func present(_ grid: Grid)
    /// The next event, or `nil` when `timeout` (seconds) passed without one.
    func nextEvent(timeout: Double) -> InputEvent?
    /// The next event, or `nil` when `timeout` passed or `descriptor` became readable first
    /// (a database's notification socket, waited on beside the keyboard).
    func nextEvent(timeout: Double, wakingOn descriptor: Int32?) -> InputEvent?
}

extension TerminalDevice {
    /// A terminal that cannot wait on another descriptor waits on the keyboard alone; the
    /// caller then notices changes at the next timeout.
    public func nextEvent(timeout: Double, wakingOn descriptor: Int32?) -> InputEvent? {
        nextEvent(timeout: timeout)
    }
}
