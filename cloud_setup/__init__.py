"""Deploy, inspect, print and remove the Time Traveler AWS stack (`python -m cloud_setup ...`): one
CloudFormation template rendered from the deploy options (`cloud_setup.template`), deployed with change sets."""
