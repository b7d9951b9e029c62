/* humanoid: what the reward can read at every control step (40 Hz).
 * World frame: z up, metres, radians; the floor is the plane z = 0. Quaternions are
 * (w, x, y, z). A two-legged humanoid (about 46 kg, 1.5 m) should run forward, along
 * world +x. The episode ends early when the torso drops below TERMINATION_HEIGHT.
 * Joint order (joint_pos, joint_vel, action): left arm (shoulder_x, shoulder_y, elbow),
 * right arm (same), abdomen (z, y), left leg (hip_x, hip_z, hip_y, knee, ankle), right leg. */
#define N_JOINTS 18
#define TERMINATION_HEIGHT 0.8   /* m: torso centre height below which the humanoid has fallen */

typedef struct env_state {
    double torso_pos[3];         /* torso (chest) centre, world frame, m; about 1.2 when standing */
    double torso_quat[4];        /* torso orientation, world frame */
    double torso_vel[3];         /* torso linear velocity, world frame, m/s (x = forward) */
    double torso_angvel[3];      /* torso angular velocity, world frame, rad/s */
    double up_proj;              /* z component of the torso's up axis: 1 upright, -1 upside down */
    double heading_proj;         /* x component of the torso's forward (x) axis: 1 facing +x */
    double joint_pos[N_JOINTS];  /* joint angles, rad (order above) */
    double joint_vel[N_JOINTS];  /* joint velocities, rad/s */
    double action[N_JOINTS];     /* this step's motor commands, each in [-1, 1] (torque / gear) */
    int step;                    /* control step within the episode, 0..199 */
} env_state;
