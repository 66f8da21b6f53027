package dev.spool.database;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * On Citus ({@code SPOOL_DISTRIBUTED=citus}), every pooled connection runs its reads over all
 * shards through one connection per worker ({@code citus.max_adaptive_executor_pool_size = 1}).
 * Spool's multi-shard reads are small (which spaces have work, counts); Citus's default of up to 16
 * worker connections per read, all but one closed again when the transaction ends, made new worker
 * backends a third of the cost of a drain (docs/scaling.md, "Measured figures"). Left alone when
 * {@code spring.datasource.hikari.connection-init-sql} is set, and in the default mode.
 */
@Component
class CitusConnections implements BeanPostProcessor {

  static final String INIT_SQL = "SET citus.max_adaptive_executor_pool_size TO 1";

  private final boolean citus;

  /**
   * Binds {@link DistributedProperties} from the environment itself: a BeanPostProcessor is created
   * before the configuration-properties beans it would otherwise be given.
   */
  CitusConnections(Environment environment) {
    this.citus = Binder.get(environment).bindOrCreate("spool", DistributedProperties.class).citus();
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (citus && bean instanceof HikariDataSource pool && pool.getConnectionInitSql() == null) {
      pool.setConnectionInitSql(INIT_SQL);
    }
    return bean;
  }
}
