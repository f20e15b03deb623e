package io.poolkit.spring.boot.example;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Writes greetings, all or none. */
@Service
public class GreetingService {
    private final JdbcTemplate jdbc;

    public GreetingService(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts every text in one transaction.
     *
     * @param texts the greetings
     * @throws IllegalArgumentException for a blank one, after the ones before it were inserted: the transaction rolls them back
     */
    @Transactional
    public void addAll(List<String> texts) {
        for (String text : texts) {
            if (text.isBlank()) {
                throw new IllegalArgumentException("a greeting must not be blank");
            }
            jdbc.update("insert into greeting(text) values (?)", text);
        }
    }

    public long count(String text) {
        Long n = jdbc.queryForObject("select count(*) from greeting where text = ?", Long.class, text);
        return n == null ? 0 : n;
    }
}
