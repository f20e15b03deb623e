package io.poolkit.jdbc.internal;

import io.poolkit.jdbc.FatalErrorClassifier;
import java.sql.Driver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The JDBC options of one data source, as the builder collected and validated them. Mutable only
 * while building; a data source works from its own {@link #copy()}.
 */
public final class JdbcSettings {
    public String url;
    public String username;
    public String password;
    public Map<String, String> properties = new LinkedHashMap<>();
    public Driver driver;
    public DataSource dataSource;

    public boolean autoCommit = true;
    public Integer isolation;
    public Boolean readOnly;
    public String catalog;
    public String schema;
    public String connectionInitSql;
    public Duration loginTimeout = Duration.ofSeconds(30);
    public FatalErrorClassifier classifier = FatalErrorClassifier.standard();

    public JdbcSettings copy() {
        JdbcSettings c = new JdbcSettings();
        c.url = url;
        c.username = username;
        c.password = password;
        c.properties = new LinkedHashMap<>(properties);
        c.driver = driver;
        c.dataSource = dataSource;
        c.autoCommit = autoCommit;
        c.isolation = isolation;
        c.readOnly = readOnly;
        c.catalog = catalog;
        c.schema = schema;
        c.connectionInitSql = connectionInitSql;
        c.loginTimeout = loginTimeout;
        c.classifier = classifier;
        return c;
    }

    /** @return where connections come from, without secrets: {@code jdbc:h2:mem:app as sa} */
    public String describe() {
        String where = url != null ? Secrets.redactUrl(url) : dataSource.getClass().getName();
        return username == null ? where : where + " as " + username;
    }

    /** @return the secrets to keep out of every message */
    public Secrets secrets() {
        return Secrets.of(password, url, properties);
    }
}
