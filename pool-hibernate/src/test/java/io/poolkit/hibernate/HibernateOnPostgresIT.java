package io.poolkit.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.jdbc.testing.Pg;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hibernate owning a poolkit pool on the real PostgreSQL, configured through properties alone. */
@Timeout(120)
class HibernateOnPostgresIT {
    @Test
    void persistsAndReadsAnEntityThroughPropertiesAlone() {
        Pg.require();
        PooledDataSource ds;
        String text = "hello " + UUID.randomUUID();
        try (SessionFactory sf = HibernateSupport.sessionFactory(Map.of(
                "hibernate.connection.provider_class", "poolkit",
                "hibernate.connection.url", Pg.URL,
                "hibernate.connection.username", Pg.USER,
                "hibernate.connection.password", Pg.PASSWORD,
                "hibernate.poolkit.maxSize", "3",
                "hibernate.poolkit.minIdle", "1",
                "hibernate.poolkit.dataSource.ApplicationName", "poolkit-hibernate-it",
                "hibernate.hbm2ddl.auto", "create-drop"))) {
            ds = HibernateSupport.pool(sf);
            assertThat(ds.getMaxSize()).isEqualTo(3);
            Long id = sf.fromTransaction(s -> {
                Greeting g = new Greeting(text);
                s.persist(g);
                return g.getId();
            });
            assertThat(id).isNotNull();
            String read = sf.fromSession(s -> s.find(Greeting.class, id).getText());
            assertThat(read).isEqualTo(text);
            List<String> found = sf.fromSession(s -> s.createSelectionQuery("select g.text from Greeting g where g.text = :t", String.class)
                    .setParameter("t", text).getResultList());
            assertThat(found).containsExactly(text);
            String app = sf.fromSession(s -> s.createNativeQuery("select current_setting('application_name')", String.class)
                    .getSingleResult());
            assertThat(app).as("a driver property through hibernate.poolkit.dataSource.*").isEqualTo("poolkit-hibernate-it");
            // a transaction that fails leaves nothing behind, and its connection goes back clean
            String lost = "lost " + UUID.randomUUID();
            try {
                sf.inTransaction(s -> {
                    s.persist(new Greeting(lost));
                    s.flush();
                    throw new IllegalStateException("the work fails after the insert");
                });
            } catch (IllegalStateException expected) {
                // rolled back by Hibernate
            }
            Long left = sf.fromSession(s -> s.createSelectionQuery("select count(g) from Greeting g where g.text = :t", Long.class)
                    .setParameter("t", lost).getSingleResult());
            assertThat(left).isZero();
            assertThat(ds.stats().leased()).isZero();
            assertThat(ds.stats().created()).isLessThanOrEqualTo(3);
        }
        assertThat(ds.isClosed()).as("closed with the SessionFactory").isTrue();
        assertThat(ds.stats().size()).isZero();
    }

    @Test
    void aWrongPasswordFailsNamingTheUserButNeverThePassword() {
        Pg.require();
        String wrong = "Wr0ng-" + UUID.randomUUID();
        Throwable failure = catchThrowable(() -> HibernateSupport.sessionFactory(Map.of(
                "hibernate.connection.provider_class", "poolkit",
                "hibernate.connection.url", Pg.URL,
                "hibernate.connection.username", Pg.USER,
                "hibernate.connection.password", wrong)).close());
        assertThat(failure).hasStackTraceContaining("Could not configure poolkit: hibernate - could not open a connection to " + Pg.URL)
                .hasStackTraceContaining("the database refused the credentials for user " + Pg.USER + " (SQLState 28P01)");
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(wrong);
    }
}
