"""The Resource Groups Tagging API and Application Auto Scaling, with moto 5.2.1's known faults fixed."""
from .support import FidelityTestCase


class TaggingTest(FidelityTestCase):
    def setUp(self):
        super().setUp()
        self.tagging = self.endpoint.client("resourcegroupstaggingapi")

    def test_resource_arn_list_is_honoured_and_once_tagged_tables_are_returned(self):
        first = self.create("orders-1", Tags=[{"Key": "tablekeeper:managed", "Value": "true"}])["TableArn"]
        second = self.create("orders-2", Tags=[{"Key": "team", "Value": "x"}])["TableArn"]
        self.create("orders-3")
        self.ddb.untag_resource(ResourceArn=second, TagKeys=["team"])
        self.settle()
        answer = self.tagging.get_resources(ResourceARNList=[second])["ResourceTagMappingList"]
        self.assertEqual(answer, [{"ResourceARN": second, "Tags": []}])
        answer = self.tagging.get_resources(ResourceARNList=[first, second, first.replace("-1", "-9")])
        self.assertEqual([item["ResourceARN"] for item in answer["ResourceTagMappingList"]], [first, second])

    def test_forbidden_combinations_are_refused(self):
        arn = self.create()["TableArn"]
        self.refused("InvalidParameterException", self.tagging.get_resources, ResourceARNList=[arn],
                     ResourceTypeFilters=["dynamodb:table"])
        self.refused("InvalidParameterException", self.tagging.get_resources, ResourceARNList=[arn],
                     TagFilters=[{"Key": "a"}])

    def test_tag_filters_and_pages(self):
        for index in range(7):
            tags = [{"Key": "tablekeeper:managed", "Value": "true"}] if index % 2 == 0 else [{"Key": "x", "Value": "y"}]
            self.create(f"orders-{index}", settle=False, Tags=tags)
        self.settle()
        seen, token = [], None
        while True:
            arguments = {"TagFilters": [{"Key": "tablekeeper:managed", "Values": ["true"]}],
                         "ResourceTypeFilters": ["dynamodb:table"], "ResourcesPerPage": 2}
            if token:
                arguments["PaginationToken"] = token
            answer = self.tagging.get_resources(**arguments)
            seen += [item["ResourceARN"].rpartition("/")[2] for item in answer["ResourceTagMappingList"]]
            token = answer.get("PaginationToken")
            if not token:
                break
        self.assertEqual(seen, ["orders-0", "orders-2", "orders-4", "orders-6"])

    def test_get_resources_is_eventually_consistent_too(self):
        arn = self.create()["TableArn"]
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "x"}])
        self.assertEqual(self.tagging.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"], [])
        self.advance(1.5)
        self.assertEqual(self.tagging.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"][0]["Tags"],
                         [{"Key": "team", "Value": "x"}])


class AutoScalingTest(FidelityTestCase):
    def setUp(self):
        super().setUp()
        self.scaling = self.endpoint.client("application-autoscaling")

    def register(self, resource="table/orders", dimension="dynamodb:table:ReadCapacityUnits", low=5, high=50):
        return self.scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource,
                                                     ScalableDimension=dimension, MinCapacity=low, MaxCapacity=high)

    def provisioned(self, name="orders"):
        self.create(name, BillingMode="PROVISIONED",
                    ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})

    def test_describe_scalable_targets_pages_end(self):
        for index in range(3):
            self.provisioned(f"orders-{index}")
            self.register(f"table/orders-{index}")
        seen, token = [], None
        for _ in range(10):
            arguments = {"ServiceNamespace": "dynamodb", "MaxResults": 1}
            if token:
                arguments["NextToken"] = token
            answer = self.scaling.describe_scalable_targets(**arguments)
            seen += [target["ResourceId"] for target in answer["ScalableTargets"]]
            token = answer.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), ["table/orders-0", "table/orders-1", "table/orders-2"])

    def test_refusals_moto_lets_through(self):
        self.refused("ValidationException", self.register, contains="Unable to find the DynamoDB resource")
        self.provisioned()
        self.refused("ValidationException", self.register, low=50, high=5, contains="Minimum capacity")
        self.refused("ObjectNotFoundException", self.scaling.put_scaling_policy, PolicyName="p",
                     ServiceNamespace="dynamodb", ResourceId="table/orders",
                     ScalableDimension="dynamodb:table:ReadCapacityUnits", PolicyType="TargetTrackingScaling",
                     TargetTrackingScalingPolicyConfiguration={"TargetValue": 70, "PredefinedMetricSpecification": {
                         "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
        self.refused("ObjectNotFoundException", self.scaling.deregister_scalable_target, ServiceNamespace="dynamodb",
                     ResourceId="table/orders", ScalableDimension="dynamodb:table:ReadCapacityUnits")

    def test_deregistering_deletes_the_target_policies(self):
        self.provisioned()
        self.register()
        self.scaling.put_scaling_policy(
            PolicyName="p", ServiceNamespace="dynamodb", ResourceId="table/orders",
            ScalableDimension="dynamodb:table:ReadCapacityUnits", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={"TargetValue": 70, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
        self.assertEqual(len(self.scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]), 1)
        self.scaling.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/orders",
                                                ScalableDimension="dynamodb:table:ReadCapacityUnits")
        self.assertEqual(self.scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"], [])

    def test_a_deleted_table_targets_can_still_be_deregistered(self):
        self.provisioned()
        self.register()
        self.ddb.delete_table(TableName="orders")
        self.scaling.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/orders",
                                                ScalableDimension="dynamodb:table:ReadCapacityUnits")
