package io.poolkit.jdbc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A caller's database metadata: {@code getConnection()} returns the connection proxy, result sets
 * are proxies, and each query it runs marks the transaction as holding work (drivers answer most of
 * these with SQL). The build generates {@code ForwardingMetaData}, which forwards the rest (see
 * {@link ForwardingLeaf}). Not thread-safe.
 */
@ForwardingLeaf("ForwardingMetaData")
abstract class MetaDataProxy extends ChildProxy<DatabaseMetaData> implements DatabaseMetaData {
    MetaDataProxy(ConnectionProxy connection, DatabaseMetaData delegate) {
        super(connection, delegate);
    }

    /** A metadata query of the driver's, run for the caller (a slow path: the lambda costs nothing that matters). */
    private interface Query {
        ResultSet run() throws SQLException;
    }

    /** Runs {@code query} as work of the connection's transaction and returns its rows as a proxy. */
    private ResultSet rows(Query query) throws SQLException {
        connection.executing();
        ResultSet raw;
        try {
            raw = query.run();
        } catch (SQLException e) {
            throw check(e);
        }
        return raw == null ? null : new ForwardingResultSet(connection, null, raw);
    }

    @Override
    public final Connection getConnection() throws SQLException {
        try {
            delegate.getConnection();
        } catch (SQLException e) {
            throw check(e);
        }
        return connection;
    }

    // ---- the queries: each one's rows come back as a proxy ----

    @Override
    public final ResultSet getAttributes(String catalog, String schemaPattern, String typeNamePattern,
            String attributeNamePattern) throws SQLException {
        return rows(() -> delegate.getAttributes(catalog, schemaPattern, typeNamePattern, attributeNamePattern));
    }

    @Override
    public final ResultSet getBestRowIdentifier(String catalog, String schema, String table, int scope, boolean nullable)
            throws SQLException {
        return rows(() -> delegate.getBestRowIdentifier(catalog, schema, table, scope, nullable));
    }

    @Override
    public final ResultSet getCatalogs() throws SQLException {
        return rows(() -> delegate.getCatalogs());
    }

    @Override
    public final ResultSet getClientInfoProperties() throws SQLException {
        return rows(() -> delegate.getClientInfoProperties());
    }

    @Override
    public final ResultSet getColumnPrivileges(String catalog, String schema, String table, String columnNamePattern)
            throws SQLException {
        return rows(() -> delegate.getColumnPrivileges(catalog, schema, table, columnNamePattern));
    }

    @Override
    public final ResultSet getColumns(String catalog, String schemaPattern, String tableNamePattern,
            String columnNamePattern) throws SQLException {
        return rows(() -> delegate.getColumns(catalog, schemaPattern, tableNamePattern, columnNamePattern));
    }

    @Override
    public final ResultSet getCrossReference(String parentCatalog, String parentSchema, String parentTable,
            String foreignCatalog, String foreignSchema, String foreignTable) throws SQLException {
        return rows(() -> delegate.getCrossReference(
                parentCatalog, parentSchema, parentTable, foreignCatalog, foreignSchema, foreignTable));
    }

    @Override
    public final ResultSet getExportedKeys(String catalog, String schema, String table) throws SQLException {
        return rows(() -> delegate.getExportedKeys(catalog, schema, table));
    }

    @Override
    public final ResultSet getFunctionColumns(String catalog, String schemaPattern, String functionNamePattern,
            String columnNamePattern) throws SQLException {
        return rows(() -> delegate.getFunctionColumns(catalog, schemaPattern, functionNamePattern, columnNamePattern));
    }

    @Override
    public final ResultSet getFunctions(String catalog, String schemaPattern, String functionNamePattern)
            throws SQLException {
        return rows(() -> delegate.getFunctions(catalog, schemaPattern, functionNamePattern));
    }

    @Override
    public final ResultSet getImportedKeys(String catalog, String schema, String table) throws SQLException {
        return rows(() -> delegate.getImportedKeys(catalog, schema, table));
    }

    @Override
    public final ResultSet getIndexInfo(String catalog, String schema, String table, boolean unique, boolean approximate)
            throws SQLException {
        return rows(() -> delegate.getIndexInfo(catalog, schema, table, unique, approximate));
    }

    @Override
    public final ResultSet getPrimaryKeys(String catalog, String schema, String table) throws SQLException {
        return rows(() -> delegate.getPrimaryKeys(catalog, schema, table));
    }

    @Override
    public final ResultSet getProcedureColumns(String catalog, String schemaPattern, String procedureNamePattern,
            String columnNamePattern) throws SQLException {
        return rows(() -> delegate.getProcedureColumns(catalog, schemaPattern, procedureNamePattern, columnNamePattern));
    }

    @Override
    public final ResultSet getProcedures(String catalog, String schemaPattern, String procedureNamePattern)
            throws SQLException {
        return rows(() -> delegate.getProcedures(catalog, schemaPattern, procedureNamePattern));
    }

    @Override
    public final ResultSet getPseudoColumns(String catalog, String schemaPattern, String tableNamePattern,
            String columnNamePattern) throws SQLException {
        return rows(() -> delegate.getPseudoColumns(catalog, schemaPattern, tableNamePattern, columnNamePattern));
    }

    @Override
    public final ResultSet getSchemas() throws SQLException {
        return rows(() -> delegate.getSchemas());
    }

    @Override
    public final ResultSet getSchemas(String catalog, String schemaPattern) throws SQLException {
        return rows(() -> delegate.getSchemas(catalog, schemaPattern));
    }

    @Override
    public final ResultSet getSuperTables(String catalog, String schemaPattern, String tableNamePattern)
            throws SQLException {
        return rows(() -> delegate.getSuperTables(catalog, schemaPattern, tableNamePattern));
    }

    @Override
    public final ResultSet getSuperTypes(String catalog, String schemaPattern, String typeNamePattern) throws SQLException {
        return rows(() -> delegate.getSuperTypes(catalog, schemaPattern, typeNamePattern));
    }

    @Override
    public final ResultSet getTablePrivileges(String catalog, String schemaPattern, String tableNamePattern)
            throws SQLException {
        return rows(() -> delegate.getTablePrivileges(catalog, schemaPattern, tableNamePattern));
    }

    @Override
    public final ResultSet getTableTypes() throws SQLException {
        return rows(() -> delegate.getTableTypes());
    }

    @Override
    public final ResultSet getTables(String catalog, String schemaPattern, String tableNamePattern, String[] types)
            throws SQLException {
        return rows(() -> delegate.getTables(catalog, schemaPattern, tableNamePattern, types));
    }

    @Override
    public final ResultSet getTypeInfo() throws SQLException {
        return rows(() -> delegate.getTypeInfo());
    }

    @Override
    public final ResultSet getUDTs(String catalog, String schemaPattern, String typeNamePattern, int[] types)
            throws SQLException {
        return rows(() -> delegate.getUDTs(catalog, schemaPattern, typeNamePattern, types));
    }

    @Override
    public final ResultSet getVersionColumns(String catalog, String schema, String table) throws SQLException {
        return rows(() -> delegate.getVersionColumns(catalog, schema, table));
    }

    @Override
    public String toString() {
        return "DatabaseMetaData of " + connection;
    }
}
