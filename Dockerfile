# Multi-stage: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# Only what restore reads, so the restore layer is cached until a project file changes.
COPY src/Orchestrator.Core/Orchestrator.Core.csproj src/Orchestrator.Core/
COPY src/Orchestrator.Host/Orchestrator.Host.csproj src/Orchestrator.Host/BotFramework.props src/Orchestrator.Host/
RUN dotnet restore src/Orchestrator.Host/Orchestrator.Host.csproj
# .dockerignore keeps any local bin/ and obj/ out of this copy, so the restore's obj/ above survives it.
COPY src/ src/
RUN dotnet publish src/Orchestrator.Host/Orchestrator.Host.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY manifests/ ./manifests/
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__Path=/data/orchestrator.db \
    Workflows__Path=/app/manifests/workflows \
    Directory__Path=/app/manifests/directory.yaml
RUN mkdir -p /data && chown app:app /data
VOLUME /data
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["dotnet", "/app/Orchestrator.Host.dll", "healthcheck", "http://localhost:8080/healthz"]
ENTRYPOINT ["dotnet", "/app/Orchestrator.Host.dll"]
