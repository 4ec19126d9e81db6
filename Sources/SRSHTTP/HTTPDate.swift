/// HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7), computed without Foundation.
public enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for 784111777 seconds since 1970-01-01 00:00:00 UTC.
    public static func format(secondsSince1970: Int) -> String {
        let (days, secs) = floorDivMod(secondsSince1970, 86400)
        let (y, m, d) = civil(fromDays: days)
        let weekday = weekdays[floorDivMod(days + 4, 7).1]   // 1970-01-01 was a Thursday
        return "\(weekday), \(pad(d, 2)) \(months[m - 1]) \(pad(y, 4)) "
            + "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2)) GMT"
    }

    /// Seconds since 1970 of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`
    /// (e.g. `If-Modified-Since`); nil if the text is not one (the weekday name is not checked
    /// against the date).
    public static func parse(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 29 else { return nil }
        func str(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }
        func num(_ r: Range<Int>) -> Int? { ASCII.saturatingDecimal(Substring(str(r))) }
        guard weekdays.contains(str(0..<3)), str(3..<5) == ", ", b[7] == ASCII.space, b[11] == ASCII.space,
              b[16] == ASCII.space, b[19] == ASCII.colon, b[22] == ASCII.colon, str(25..<29) == " GMT",
              let day = num(5..<7), let monthIndex = months.firstIndex(of: str(8..<11)),
              let year = num(12..<16), let hour = num(17..<19), let minute = num(20..<22),
              let second = num(23..<25),
              day >= 1, day <= daysInMonth(year: year, month: monthIndex + 1),
              hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return days * 86400 + hour * 3600 + minute * 60 + second
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func floorDivMod(_ a: Int, _ b: Int) -> (Int, Int) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
    private static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = floorDivMod(z, 146097).0
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivMod(y, 400).0
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
