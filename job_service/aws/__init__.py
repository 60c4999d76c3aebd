"""AWS adapters: S3 object store, DynamoDB job table, SageMaker async queue, and the Lambda event plumbing.

Imported only by the Lambdas and the AWS tests: boto3 is in the Lambda runtime, not in the base install.
"""
