package dev.spool.database;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where Spool's tables live.
 *
 * @param distributed {@code none}: one PostgreSQL (the default); {@code citus}: the datasource is
 *     the coordinator of a Citus cluster, and after the shared migrations {@link CitusSchema}
 *     distributes the job tables by space (docs/scaling.md)
 */
@ConfigurationProperties("spool")
public record DistributedProperties(@DefaultValue("none") Mode distributed) {

  /** The modes of {@code spool.distributed}. */
  public enum Mode {
    NONE,
    CITUS
  }

  /** Whether the tables are distributed over a Citus cluster. */
  public boolean citus() {
    return distributed == Mode.CITUS;
  }
}
