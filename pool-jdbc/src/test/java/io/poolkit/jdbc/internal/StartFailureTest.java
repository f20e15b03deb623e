package io.poolkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The start failure's advice for each kind of cause, and where the host and port come from. */
class StartFailureTest {

    private static JdbcSettings settings(String url, String user) {
        JdbcSettings s = new JdbcSettings();
        s.url = url;
        s.username = user;
        return s;
    }

    private static String explain(Throwable cause) {
        return StartFailure.explain("db", settings("jdbc:postgresql://db.example:6432/app", "app"), "jdbc:postgresql://db.example:6432/app"
                + " as app", cause);
    }

    @Test
    void eachCauseGetsItsOwnAdvice() {
        assertThat(explain(new SQLException("no pg_hba.conf entry", "28000"))).contains("refused the credentials for user app (SQLState 28000)");
        assertThat(explain(new SQLException("database \"app\" does not exist", "3D000"))).contains("does not exist there (SQLState 3D000)");
        assertThat(explain(new SQLException("The connection attempt failed.", "08001", new UnknownHostException("db.example"))))
                .contains("the host in db.example:6432 is unknown here");
        assertThat(explain(new SQLException("refused", "08001", new ConnectException("Connection refused"))))
                .contains("nothing accepted the connection at db.example:6432").contains(StartFailure.START_ANYWAY);
        assertThat(explain(new SQLException("timed out", "08001", new SocketTimeoutException("connect timed out"))))
                .contains("no answer from db.example:6432 in time").contains(StartFailure.START_ANYWAY);
        assertThat(explain(new SQLException("something else", "08006"))).contains("is the database up and reachable from here?")
                .contains(StartFailure.START_ANYWAY);
    }

    @Test
    void hostAndPortComeFromTheUrlWithoutUserInformation() {
        assertThat(StartFailure.hostAndPort("jdbc:postgresql://127.0.0.1:1/poolkit")).isEqualTo("127.0.0.1:1");
        assertThat(StartFailure.hostAndPort("jdbc:postgresql://h1:5432,h2:5433/app?ssl=true")).isEqualTo("h1:5432,h2:5433");
        assertThat(StartFailure.hostAndPort("jdbc:mysql://app:secret@db:3306/app")).isEqualTo("db:3306");
        assertThat(StartFailure.hostAndPort("jdbc:sqlserver://db:1433;databaseName=app")).isEqualTo("db:1433");
        assertThat(StartFailure.hostAndPort("jdbc:postgresql:///app")).isNull();
        assertThat(StartFailure.hostAndPort("jdbc:h2:mem:app")).isNull();
        assertThat(StartFailure.hostAndPort(null)).isNull();
    }

    @Test
    void withoutAUsernameTheCredentialsMessageNamesNone() {
        String m = StartFailure.explain("db", settings("jdbc:h2:mem:x", null), "jdbc:h2:mem:x", new SQLException("Wrong user name or password",
                "28000"));
        assertThat(m).contains("the database refused the credentials (SQLState 28000)");
    }
}
