# The shrinksearch application image: CLI, flows (Prefect serve) and the web app.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shrinksearch ./shrinksearch
COPY crawlers ./crawlers
COPY flows ./flows
COPY index_config ./index_config
RUN pip install --no-cache-dir -e .
ENV SHRINKSEARCH_DATA_DIR=/data
EXPOSE 8000 8765
CMD ["shrinksearch", "--help"]
