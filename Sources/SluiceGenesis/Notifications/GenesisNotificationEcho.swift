/// The answer a merchant owes a Genesis notification; until the gateway gets it, it re-sends.
public enum GenesisNotificationEcho {
    /// Content type of the echo.
    public static let contentType = "text/xml"

    /// `<notification_echo><unique_id>…</unique_id></notification_echo>`, with the id escaped.
    public static func xml(uniqueID: String) -> String {
        var writer = GenesisXMLWriter(root: "notification_echo")
        writer.element("unique_id", uniqueID)
        return writer.finish()
    }
}
