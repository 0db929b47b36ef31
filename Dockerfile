# Builds the broker from this repository; used by docker-compose.yml.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -DskipTests -pl broker-api -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 broker && mkdir -p /var/lib/token-broker/kek && chown -R broker /var/lib/token-broker
USER broker
WORKDIR /app
COPY --from=build /src/broker-api/target/token-broker.jar /app/token-broker.jar
EXPOSE 8080
# Two malloc arenas instead of up to 8 per core: ~20 MB less RSS for the JVM's many threads
# (benchmarks/scale/RESULTS.md, rss: 505 MB with 100,000 token sets vs 526 MB without).
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-jar", "/app/token-broker.jar"]
