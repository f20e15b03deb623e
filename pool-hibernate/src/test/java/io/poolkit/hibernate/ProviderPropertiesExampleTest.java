package io.poolkit.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.jdbc.PooledDataSource;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The properties of PoolkitConnectionProvider's javadoc configure a working pool, so the example stays correct. */
@Timeout(120)
class ProviderPropertiesExampleTest {
    /** The example file, where javadoc's {@code --snippet-path} (src/test/java) finds it. */
    private static final Path EXAMPLE = Path.of("src/test/java/io/poolkit/hibernate/provider.properties");

    @Test
    void theJavadocPropertiesConfigureThePool() throws Exception {
        Properties example = new Properties();
        try (Reader in = Files.newBufferedReader(EXAMPLE, StandardCharsets.UTF_8)) {
            example.load(in);
        }
        assertThat(example.getProperty("hibernate.connection.url")).startsWith("jdbc:postgresql:");
        Map<String, String> p = new HashMap<>();
        example.stringPropertyNames().forEach(k -> p.put(k, example.getProperty(k)));
        // H2 in place of PostgreSQL; unknown settings (socketTimeout is pgjdbc's) ignored as pgjdbc would take them
        p.put("hibernate.connection.url", "jdbc:h2:mem:provider-example;DB_CLOSE_DELAY=-1;IGNORE_UNKNOWN_SETTINGS=TRUE");
        p.put("hibernate.connection.username", "sa");
        p.put("hibernate.connection.password", "");
        p.put("hibernate.hbm2ddl.auto", "create-drop");
        try (SessionFactory sf = HibernateSupport.sessionFactory(p)) {
            PooledDataSource ds = HibernateSupport.pool(sf);
            assertThat(ds.getMaxSize()).isEqualTo(10);
            assertThat(ds.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(ds.getDataSourceProperties().getProperty("socketTimeout")).isEqualTo("30");
            Long id = sf.fromTransaction(s -> {
                Greeting g = new Greeting("from the example");
                s.persist(g);
                return g.getId();
            });
            String read = sf.fromSession(s -> s.find(Greeting.class, id).getText());
            assertThat(read).isEqualTo("from the example");
        }
    }
}
