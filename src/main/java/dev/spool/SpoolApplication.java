package dev.spool;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class SpoolApplication {

  public static void main(String[] args) {
    SpringApplication.run(SpoolApplication.class, args);
  }
}
