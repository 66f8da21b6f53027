package dev.spool.space;

import dev.spool.common.Ids;
import dev.spool.web.ApiException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Spaces and their keys: what the admin API and the first-start bootstrap do. */
@Service
public class Spaces {

  /** How long a rotated-out signing secret keeps signing beside the new one. */
  static final Duration PREVIOUS_SECRET_OVERLAP = Duration.ofHours(24);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SpaceRepository spaces;
  private final ApiKeyRepository keyRepository;
  private final ApiKeys keys;
  private final JdbcClient jdbc;
  private final Clock clock;

  Spaces(
      SpaceRepository spaces,
      ApiKeyRepository keyRepository,
      ApiKeys keys,
      JdbcClient jdbc,
      Clock clock) {
    this.spaces = spaces;
    this.keyRepository = keyRepository;
    this.keys = keys;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** A key as returned once at creation, with its secret. */
  public record IssuedKey(String id, String name, List<String> scopes, String prefix, String key) {
    /** Never the key itself: framework DEBUG logging prints returned values. */
    @Override
    public String toString() {
      return "IssuedKey[id="
          + id
          + ", name="
          + name
          + ", scopes="
          + scopes
          + ", prefix="
          + prefix
          + "]";
    }
  }

  /** Creates a space with its public progress key (and a signing secret when asked). */
  @Transactional
  public Space create(String name, boolean withSigningSecret) {
    String publicKey = keys.generate();
    Space space = new Space(Ids.next(), name, publicKey, clock.instant());
    if (withSigningSecret) {
      space.rotateSigningSecret(newSigningSecret(), null, clock.instant());
    }
    spaces.saveAndFlush(space);
    keys.store(space.getId(), "public progress key", publicKey, List.of(Scopes.JOBS_READ_PROGRESS));
    return space;
  }

  @Transactional(readOnly = true)
  public List<Space> list() {
    return spaces.findAllByOrderByIdAsc();
  }

  @Transactional(readOnly = true)
  public Space get(String id) {
    if (!Ids.isValid(id)) {
      throw ApiException.notFound("Space");
    }
    return spaces.findById(id).orElseThrow(() -> ApiException.notFound("Space"));
  }

  @Transactional
  public Space rename(String id, String name) {
    Space space = get(id);
    space.rename(name, clock.instant());
    return space;
  }

  /**
   * Applies a PATCH in one transaction: a null name is unchanged; push and slack change only when
   * their field was sent, and a null value turns them off.
   */
  @Transactional
  public Space update(
      String id,
      String name,
      boolean setPush,
      NotificationSettings.Push push,
      boolean setSlack,
      NotificationSettings.Slack slack) {
    Space space = get(id);
    Instant now = clock.instant();
    if (name != null) {
      space.rename(name, now);
    }
    if (setPush) {
      space.configurePush(
          push == null ? null : push.url(),
          push == null ? null : push.headers(),
          push == null ? null : push.names(),
          now);
    }
    if (setSlack) {
      space.configureSlack(
          slack == null ? null : slack.url(), slack == null ? null : slack.events(), now);
    }
    return space;
  }

  /**
   * Deletes a space with its terminal jobs; 409 while it still has active jobs, including those of
   * creates still in flight.
   */
  @Transactional
  public void delete(String id) {
    Space space = get(id);
    // Lock the space row first. A create (or a retry) holds a key-share lock on it until it
    // commits (spool_lock_spaces, V77; the foreign key's check on Citus), so this waits for
    // creates in flight and then sees their jobs; creates that start later wait for this delete
    // and then fail on the missing space (404). Without the lock, a job committed between the
    // check and the delete was deleted after its 201.
    jdbc.sql("SELECT id FROM spaces WHERE id = :space FOR UPDATE")
        .param("space", space.getId())
        .query(String.class)
        .optional();
    boolean active =
        jdbc.sql(
                """
                SELECT EXISTS (SELECT 1 FROM jobs WHERE space_id = :space
                               AND status IN ('scheduled', 'pending', 'delivered', 'running'))
                """)
            .param("space", space.getId())
            .query(Boolean.class)
            .single();
    if (active) {
      throw ApiException.conflict("space_has_active_jobs", "Space has active jobs");
    }
    // The space's jobs, all terminal now, go first: on one PostgreSQL there is no foreign key from
    // jobs to spaces whose cascade would (V77). Each status its own range scan of the status
    // listing index; their events, logs and callbacks go with them (trigger, foreign keys).
    jdbc.sql(
            """
            DELETE FROM jobs
             WHERE space_id = :space AND status IN ('completed', 'dead', 'killed')
            """)
        .param("space", space.getId())
        .update();
    spaces.delete(space);
    keys.invalidateAll();
  }

  /** Creates or rotates the signing secret; the previous one keeps signing for 24 h. */
  @Transactional
  public Space rotateSigningSecret(String id) {
    Space space = get(id);
    Instant now = clock.instant();
    space.rotateSigningSecret(newSigningSecret(), now.plus(PREVIOUS_SECRET_OVERLAP), now);
    return space;
  }

  @Transactional
  public IssuedKey createKey(String spaceId, String name, List<String> requestedScopes) {
    Space space = get(spaceId);
    List<String> scopes = Scopes.expand(requestedScopes);
    if (scopes.contains(Scopes.ADMIN)) {
      throw ApiException.validation(
          List.of(
              new ApiException.FieldError(
                  "scopes", "scopes cannot include admin for a key bound to a space")));
    }
    return issue(space.getId(), name, scopes);
  }

  @Transactional
  IssuedKey issue(String spaceId, String name, List<String> scopes) {
    String plain = keys.generate();
    ApiKey key = keys.store(spaceId, name, plain, scopes);
    return new IssuedKey(key.getId(), key.getName(), scopes, key.getPrefix(), plain);
  }

  @Transactional(readOnly = true)
  public List<ApiKey> keysOf(String spaceId) {
    return keyRepository.findBySpaceIdOrderByIdAsc(get(spaceId).getId());
  }

  @Transactional
  public ApiKey revokeKey(String keyId) {
    ApiKey key =
        (Ids.isValid(keyId) ? keyRepository.findById(keyId) : java.util.Optional.<ApiKey>empty())
            .orElseThrow(() -> ApiException.notFound("Key"));
    key.revoke(clock.instant());
    keys.invalidateAll();
    return key;
  }

  @Transactional
  public ApiKey limitKeyRate(String keyId, Integer perSecond) {
    ApiKey key =
        (Ids.isValid(keyId) ? keyRepository.findById(keyId) : java.util.Optional.<ApiKey>empty())
            .orElseThrow(() -> ApiException.notFound("Key"));
    key.limitRate(perSecond);
    keys.invalidateAll();
    return key;
  }

  static String newSigningSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getEncoder().encodeToString(bytes);
  }
}
