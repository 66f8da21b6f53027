package dev.spool.space;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface SpaceRepository extends JpaRepository<Space, String> {

  List<Space> findAllByOrderByIdAsc();
}
