# syntax=docker/dockerfile:1
# Spool container image: built with the Maven wrapper on a JDK, run on a JRE as a non-root user,
# with Spring Boot's layers as image layers (dependencies change far less often than the code).
#
#   docker build -t spool .
#   docker run -p 8080:8080 -e SPRING_DATASOURCE_URL=... spool
#
# The management port (8081: health, info, prometheus) is exposed for the orchestrator and the
# monitoring network only; never publish it to the internet.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# dependencies first, so that a code change does not download the world again
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q package -DskipTests \
    && cp target/spool-*.jar /tmp/spool.jar \
    && java -Djarmode=tools -jar /tmp/spool.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:17-jre
RUN groupadd --system spool \
    && useradd --system --gid spool --home-dir /app --no-create-home --shell /usr/sbin/nologin spool
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER spool:spool
EXPOSE 8080 8081
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# Readiness through bash's /dev/tcp, so the check needs neither curl nor wget (newer JRE images
# no longer ship them) nor a second JVM. Follows MANAGEMENT_SERVER_PORT when it is overridden.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT:-8081} && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
