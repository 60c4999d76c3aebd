#!/usr/bin/env bash
# Build the model server image and push it to Amazon ECR; prints the image URI for
# `python -m cloud_setup deploy --image-uri URI`.
#   inference_container/build_and_push.sh [--region REGION] [--repository NAME] [--tag TAG]
# Needs: docker, the AWS CLI v2, credentials allowed to use ECR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
REPOSITORY="time-traveler-model"
TAG="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo latest)"

while [ $# -gt 0 ]; do
  case "$1" in
    --region) REGION="$2"; shift 2 ;;
    --repository) REPOSITORY="$2"; shift 2 ;;
    --tag) TAG="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
REGION="${REGION:-$(aws configure get region || true)}"
if [ -z "$REGION" ]; then
  echo "no region: pass --region or set AWS_REGION" >&2
  exit 2
fi

ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
REGISTRY="${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com"
IMAGE_URI="${REGISTRY}/${REPOSITORY}:${TAG}"

if ! aws ecr describe-repositories --region "$REGION" --repository-names "$REPOSITORY" >/dev/null 2>&1; then
  echo "creating ECR repository $REPOSITORY" >&2
  aws ecr create-repository --region "$REGION" --repository-name "$REPOSITORY" \
    --image-scanning-configuration scanOnPush=true \
    --encryption-configuration encryptionType=AES256 \
    --tags Key=project,Value=time-traveler >/dev/null
fi

aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$REGISTRY" >&2
# SageMaker GPU instances are x86_64.
docker build --platform linux/amd64 -f "$ROOT/inference_container/Dockerfile" -t "$IMAGE_URI" "$ROOT" >&2
docker push "$IMAGE_URI" >&2
echo "$IMAGE_URI"
