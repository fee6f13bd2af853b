import Logging
import PostgresNIO

extension PostgresConnection {
    /// `COPY table (columns) FROM STDIN WITH (FORMAT binary)`, streaming what `writeData` writes.
    ///
    /// PostgresNIO's `copyFrom` offers only the text format, though its COPY protocol handling
    /// does not depend on the format. Its statement is built on one line as
    /// `COPY "<table>"("<c1>",…,"<cn>") FROM STDIN WITH (FORMAT text)`: the last column name
    /// here closes the column list, states the binary format and turns the rest of that line
    /// into a comment. Table and column names are sluice's own, checked identifiers
    /// (`TableName`, the pipeline's columns), never values from a file. The integration tests
    /// load through this path, so a PostgresNIO that built the statement differently would
    /// fail them rather than load text as binary.
    func copyBinaryFrom(
        table: TableName, columns: [String], logger: Logger, writeData: (PostgresCopyFromWriter) async throws -> Void
    ) async throws {
        precondition(!columns.isEmpty, "a binary COPY names its columns")
        precondition(columns.allSatisfy { !$0.contains("\"") && !$0.contains("\n") }, "column names are identifiers")
        var named = columns
        named[named.count - 1] += "\") FROM STDIN WITH (FORMAT binary) --"
        try await copyFrom(table: table.copyTarget, columns: named, logger: logger, writeData: writeData)
    }
}
