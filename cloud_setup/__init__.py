"""Deploy, inspect and remove the Time Traveler AWS stack with boto3 (`python -m cloud_setup ...`),
and the Lambda entry points of the job service (`cloud_setup.handlers`)."""
