package io.poolkit.jdbc.testing;

import java.sql.*;
import java.util.concurrent.Executor;

/**
 * The stub driver's connection (HikariCP-benchmark's StubConnection, written for this project): it
 * keeps the properties a pool sets and resets, answers {@code isValid}, and hands out
 * {@link StubStatement}s, and {@link StubObjects} for prepared and callable statements and metadata.
 * Every other method returns a default. Not thread-safe, like a real one.
 */
final class StubConnection implements Connection, StubDriver.Stub {
    private boolean autoCommit = true;
    private int isolation = TRANSACTION_READ_COMMITTED;
    private boolean readOnly;
    private String catalog;
    private String schema;
    private int networkTimeout;
    private boolean closed;

    @Override
    public boolean getAutoCommit() {
        return autoCommit;
    }

    @Override
    public void setAutoCommit(boolean autoCommit) {
        this.autoCommit = autoCommit;
    }

    @Override
    public int getTransactionIsolation() {
        return isolation;
    }

    @Override
    public void setTransactionIsolation(int level) {
        this.isolation = level;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    @Override
    public String getCatalog() {
        return catalog;
    }

    @Override
    public void setCatalog(String catalog) {
        this.catalog = catalog;
    }

    @Override
    public String getSchema() {
        return schema;
    }

    @Override
    public void setSchema(String schema) {
        this.schema = schema;
    }

    @Override
    public int getNetworkTimeout() {
        return networkTimeout;
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) {
        this.networkTimeout = milliseconds;
    }

    @Override
    public boolean isValid(int timeout) {
        return !closed;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public Statement createStatement() {
        return new StubStatement(this);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) {
        return new StubStatement(this);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
        return new StubStatement(this);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public void abort(java.util.concurrent.Executor p0) throws SQLException {
        closed = true;
    }

    @Override
    public void clearWarnings() throws SQLException {
    }

    @Override
    public void commit() throws SQLException {
    }

    @Override
    public Array createArrayOf(String p0, Object[] p1) throws SQLException {
        return null;
    }

    @Override
    public Blob createBlob() throws SQLException {
        return null;
    }

    @Override
    public Clob createClob() throws SQLException {
        return null;
    }

    @Override
    public NClob createNClob() throws SQLException {
        return null;
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return null;
    }

    @Override
    public Struct createStruct(String p0, Object[] p1) throws SQLException {
        return null;
    }

    @Override
    public java.util.Properties getClientInfo() throws SQLException {
        return new java.util.Properties();
    }

    @Override
    public String getClientInfo(String p0) throws SQLException {
        return null;
    }

    @Override
    public int getHoldability() throws SQLException {
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return StubObjects.of(DatabaseMetaData.class, this, null);
    }

    @Override
    public java.util.Map<String, Class<?>> getTypeMap() throws SQLException {
        return new java.util.HashMap<>();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return null;
    }

    @Override
    public String nativeSQL(String p0) throws SQLException {
        return p0;
    }

    @Override
    public CallableStatement prepareCall(String p0, int p1, int p2, int p3) throws SQLException {
        return StubObjects.of(CallableStatement.class, this, null);
    }

    @Override
    public CallableStatement prepareCall(String p0, int p1, int p2) throws SQLException {
        return StubObjects.of(CallableStatement.class, this, null);
    }

    @Override
    public CallableStatement prepareCall(String p0) throws SQLException {
        return StubObjects.of(CallableStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0, int[] p1) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0, String[] p1) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0, int p1, int p2, int p3) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0, int p1, int p2) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0, int p1) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public PreparedStatement prepareStatement(String p0) throws SQLException {
        return StubObjects.of(PreparedStatement.class, this, null);
    }

    @Override
    public void releaseSavepoint(Savepoint p0) throws SQLException {
    }

    @Override
    public void rollback() throws SQLException {
    }

    @Override
    public void rollback(Savepoint p0) throws SQLException {
    }

    @Override
    public void setClientInfo(String p0, String p1) throws SQLClientInfoException {
    }

    @Override
    public void setClientInfo(java.util.Properties p0) throws SQLClientInfoException {
    }

    @Override
    public void setHoldability(int p0) throws SQLException {
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return null;
    }

    @Override
    public Savepoint setSavepoint(String p0) throws SQLException {
        return null;
    }

    @Override
    public void setTypeMap(java.util.Map<String, Class<?>> p0) throws SQLException {
    }

    // JDBC 4.3's sharding keys: interface defaults that throw, accepted as a driver without shards would

    @Override
    public void setShardingKey(ShardingKey shardingKey) {
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) {
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) {
        return !closed;
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) {
        return !closed;
    }
}
