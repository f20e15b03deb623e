package io.poolkit.spring.boot.example;

import io.poolkit.jdbc.PooledDataSource;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A plain Spring Boot application whose pool is poolkit: its {@code application.properties} says
 * {@code spring.datasource.type=io.poolkit.jdbc.PooledDataSource} and sets a few
 * {@code spring.datasource.poolkit.*} options; nothing else here knows about poolkit. Flyway
 * migrates the schema at start-up ({@code db/migration}), a {@code @Transactional} service writes,
 * {@code JdbcTemplate} reads. Run it against the PostgreSQL in {@code POOLKIT_PG_URL}:
 *
 * <pre>./mvnw -q -pl pool-spring-boot -am -Pspring-boot-example verify</pre>
 */
@SpringBootApplication
public class ExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args).close();
    }

    @Bean
    CommandLineRunner report(GreetingService greetings, JdbcTemplate jdbc, DataSource dataSource) {
        return args -> {
            if (!Boolean.getBoolean("example.report")) {
                return;
            }
            greetings.addAll(List.of("hello from " + ProcessHandle.current().pid()));
            System.out.println("greetings: " + jdbc.queryForObject("select count(*) from greeting", Long.class));
            System.out.println("pool: " + dataSource.unwrap(PooledDataSource.class));
        };
    }
}
