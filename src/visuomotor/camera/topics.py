"""The camera topics every later stage consumes, whatever the source (realsense-ros layout)."""

COLOR_IMAGE = "/camera/color/image_raw"  # sensor_msgs/Image rgb8
COLOR_INFO = "/camera/color/camera_info"  # sensor_msgs/CameraInfo
DEPTH_IMAGE = "/camera/aligned_depth_to_color/image_raw"  # 16UC1 mm (or 32FC1 m)
DEPTH_INFO = "/camera/aligned_depth_to_color/camera_info"  # = colour intrinsics
EXTRINSICS = "/camera/extrinsics"  # geometry_msgs/TransformStamped base_link -> camera optical, transient_local
JOINT_STATES = "/joint_states"
GROUND_TRUTH = "/sim/ground_truth"  # visuomotor_ros/Object3DArray

# topic -> message type, for the recorder (types of other topics are discovered from the ROS graph)
CAMERA_TOPIC_TYPES = {
    COLOR_IMAGE: "sensor_msgs/msg/Image",
    COLOR_INFO: "sensor_msgs/msg/CameraInfo",
    DEPTH_IMAGE: "sensor_msgs/msg/Image",
    DEPTH_INFO: "sensor_msgs/msg/CameraInfo",
    EXTRINSICS: "geometry_msgs/msg/TransformStamped",
}
RECORDED_TOPIC_TYPES = {
    **CAMERA_TOPIC_TYPES,
    JOINT_STATES: "sensor_msgs/msg/JointState",
    GROUND_TRUTH: "visuomotor_ros/msg/Object3DArray",
}
