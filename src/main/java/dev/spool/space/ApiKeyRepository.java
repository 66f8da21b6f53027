package dev.spool.space;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface ApiKeyRepository extends JpaRepository<ApiKey, String> {

  Optional<ApiKey> findByKeyHash(String keyHash);

  List<ApiKey> findBySpaceIdOrderByIdAsc(String spaceId);
}
